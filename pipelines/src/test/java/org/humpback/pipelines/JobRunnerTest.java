package org.humpback.pipelines;

import org.humpback.transforms.beam.EmbeddingParquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker side on a real SQLite registry, the real YAMNet model and real (generated and corpus) audio. */
class JobRunnerTest {

  @Test
  void runsAJobSkipsItsRepeatEncodesAChangedParameterAnewAndFailsABadFileWithoutStopping(@TempDir Path home) throws Exception {
    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      AudioImport importer = new AudioImport(db, home.resolve("data"));
      AudioFile good = importer.importFile(Fixtures.chirpWav(home.resolve("in/chirp.wav"), 10.0, 22050, 1), "in").file();
      // A row whose stored file is not audio: the import probe would refuse it, so it is inserted as a damaged copy.
      Path garbage = home.resolve("data/audio/raw/broken/original.wav");
      Files.createDirectories(garbage.getParent());
      Files.writeString(garbage, "RIFF? no: this recording was overwritten by a text file");
      AudioFile bad = new AudioFile(Ids.newId(), "broken.wav", "in", "d".repeat(64), 10.0, 22050, 1, garbage.toString(),
          Timestamps.now());
      db.dao(AudioFileDao.class).insert(bad);

      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      ProcessingJob badJob = queue.enqueue(Fixtures.job(bad.id(), yamnet, null));
      ProcessingJob first = queue.enqueue(Fixtures.job(good.id(), yamnet, null));
      List<JobRunner.JobReport> reports = new ArrayList<>();
      JobRunner runner = new JobRunner(db, home, home.resolve("data"), Fixtures.testSettings("w1"), new JobRunner.Listener() {
        @Override
        public void finished(JobRunner.JobReport report) {
          reports.add(report);
        }
      });
      new Worker(runner, queue, Duration.ZERO, Duration.ofSeconds(30), true).run();

      assertEquals(2, reports.size(), reports.toString());
      ProcessingJob failed = queue.find(badJob.id()).orElseThrow();
      assertEquals(JobStatus.FAILED, failed.status());
      assertTrue(failed.errorMessage().contains("broken.wav") && failed.errorMessage().contains("decode"), failed.errorMessage());

      ProcessingJob done = queue.find(first.id()).orElseThrow();
      assertEquals(JobStatus.COMPLETE, done.status());
      assertFalse(done.skipped());
      assertEquals(1.0, done.progress(), 1e-9);
      EmbeddingSet set = db.dao(EmbeddingSetDao.class).findByAudioFileAndSignature(good.id(), first.encodingSignature()).orElseThrow();
      long windows = (long) Math.ceil(10.0 / 0.975); // pad policy: 10 full windows + a padded one
      assertEquals(windows, set.rowCount());
      assertEquals(1024, set.vectorDim()); // the YAMNet preset's embedding tensor
      assertEquals(16000, set.targetSampleRate());
      assertEquals(home.resolve("data/embeddings/yamnet/" + good.id() + "/" + first.encodingSignature() + ".parquet").toString(),
          set.parquetPath());
      EmbeddingParquet.Contents c = EmbeddingParquet.read(set.parquetPath());
      assertEquals(windows, c.rows().size());
      assertEquals(good.checksumSha256(), c.metadata().audioSha256());
      assertEquals(first.encodingSignature(), c.metadata().encodingSignature());

      // The same job again: completes at once, skipped, no second set.
      ProcessingJob again = queue.enqueue(Fixtures.job(good.id(), yamnet, null));
      JobRunner.JobReport r2 = runner.runNext().orElseThrow();
      assertEquals(JobRunner.Outcome.SKIPPED, r2.outcome());
      ProcessingJob skipped = queue.find(again.id()).orElseThrow();
      assertEquals(JobStatus.COMPLETE, skipped.status());
      assertTrue(skipped.skipped());
      assertEquals(1, db.dao(EmbeddingSetDao.class).listByAudioFile(good.id()).size());

      // One front-end parameter changed: a new signature and a second set.
      ProcessingJob changed = queue.enqueue(Fixtures.job(good.id(), yamnet, "{\"hop_seconds\": 0.5}"));
      assertNotEquals(first.encodingSignature(), changed.encodingSignature());
      assertEquals(JobRunner.Outcome.COMPLETED, runner.runNext().orElseThrow().outcome());
      List<EmbeddingSet> sets = db.dao(EmbeddingSetDao.class).listByAudioFile(good.id());
      assertEquals(2, sets.size());
      EmbeddingSet overlapped = sets.stream().filter(s -> s.encodingSignature().equals(changed.encodingSignature())).findFirst().orElseThrow();
      assertTrue(overlapped.rowCount() > windows, "hop 0.5 s gives more windows: " + overlapped.rowCount());
      assertTrue(runner.runNext().isEmpty());
    }
  }

  @Test
  void twoWorkersDrainFiftyJobsRunningEachOnce(@TempDir Path home) throws Exception {
    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      AudioImport importer = new AudioImport(db, home.resolve("data"));
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      List<String> jobIds = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        AudioFile f = importer.importFile(Fixtures.chirpWav(home.resolve("in/c" + i + ".wav"), 1.5, 16000, i), "in").file();
        jobIds.add(queue.enqueue(Fixtures.job(f.id(), yamnet, null)).id());
      }
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      JobRunner.Listener count = new JobRunner.Listener() {
        @Override
        public void finished(JobRunner.JobReport report) {
          runs.computeIfAbsent(report.jobId(), k -> new AtomicInteger()).incrementAndGet();
        }
      };
      List<Worker> workers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (String id : List.of("w1", "w2")) {
        Worker w = new Worker(new JobRunner(db, home, home.resolve("data"),
            Fixtures.testSettings(id).withEnforceChecks(false).withBatchJobs(5), count),
            queue, Duration.ZERO, Duration.ofSeconds(30), true);
        workers.add(w);
        Thread t = new Thread(w, "worker-" + id);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join(180_000);
        assertFalse(t.isAlive(), "worker did not finish");
      }
      assertEquals(50, runs.size());
      runs.forEach((id, n) -> assertEquals(1, n.get(), "job " + id + " ran " + n.get() + " times"));
      for (String id : jobIds) {
        ProcessingJob j = queue.find(id).orElseThrow();
        assertEquals(JobStatus.COMPLETE, j.status(), j.toString());
        assertEquals(1, j.attempts());
      }
      assertEquals(50, workers.get(0).jobsRun() + workers.get(1).jobsRun());
      assertTrue(workers.get(0).jobsRun() > 0 && workers.get(1).jobsRun() > 0, "both workers took jobs");
      assertEquals(50, db.dao(EmbeddingSetDao.class).list(1000, 0).size());
    }
  }

  @Test
  void aCancelRequestStopsTheRunningJobAndLeavesNoOutput(@TempDir Path home) throws Exception {
    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      AudioFile f = new AudioImport(db, home.resolve("data"))
          .importFile(Fixtures.chirpWav(home.resolve("in/long.wav"), 900, 16000, 3), "in").file();
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      ProcessingJob job = queue.enqueue(Fixtures.job(f.id(), yamnet, null));
      JobRunner runner = new JobRunner(db, home, home.resolve("data"), Fixtures.testSettings("w1").withEnforceChecks(false), null);
      Thread t = new Thread(() -> runner.runNext());
      t.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (queue.find(job.id()).orElseThrow().windowsDone() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(JobQueue.CancelOutcome.REQUESTED, queue.cancel(job.id()));
      t.join(60_000);
      assertFalse(t.isAlive());
      ProcessingJob after = queue.find(job.id()).orElseThrow();
      assertEquals(JobStatus.CANCELED, after.status());
      assertTrue(after.windowsDone() < (long) (900 / 0.975), "stopped before the end: " + after.windowsDone());
      Path out = home.resolve("data/embeddings/yamnet/" + f.id());
      assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "no output left");
      assertTrue(db.dao(EmbeddingSetDao.class).listByAudioFile(f.id()).isEmpty());
    }
  }
}
