package org.humpback.pipelines;

import org.humpback.pipelines.jobs.AudioImport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: a cancel of a running processing job is never lost. The worker heartbeats only every
 * 10 minutes here, so it never sees a request while the run goes on: each cancel lands in the window that
 * used to lose it (between the last heartbeat and the completion: during the run, during the Parquet write,
 * between the write and the set's insert, at the very end). Whatever the moment, the API's answer holds:
 * REQUESTED ends {@code canceled} with no file and no set, ALREADY_FINISHED means complete with both.
 */
class CancelRaceTest {

  /** When the cancel is sent, relative to the job's run. */
  enum Moment { AT_CLAIM, MID_RUN, WHEN_THE_FILE_APPEARS, AFTER_THE_END }

  @Test
  void aCancelEitherStopsTheJobOrIsRefusedAsTooLate(@TempDir Path home) throws Exception {
    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      AudioImport importer = new AudioImport(db, home.resolve("data"));
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      JobRunner runner = new JobRunner(db, home, home.resolve("data"), Fixtures.testSettings("w1")
          .withEnforceChecks(false).withHeartbeatInterval(Duration.ofMinutes(10)), null);
      int seed = 0;
      for (Moment moment : Moment.values()) {
        AudioFile f = importer.importFile(Fixtures.chirpWav(home.resolve("in/c" + seed + ".wav"), 40, 16000, seed++), "in").file();
        ProcessingJob job = queue.enqueue(Fixtures.job(f.id(), yamnet, null));
        Path out = home.resolve("data/embeddings/yamnet/" + f.id() + "/" + job.encodingSignature() + ".parquet");
        Thread worker = new Thread(runner::runNext);
        worker.start();
        JobQueue.CancelOutcome answer = cancelAt(moment, queue, job, out, worker);
        worker.join(120_000);
        assertFalse(worker.isAlive(), moment + ": the worker did not finish");

        ProcessingJob after = queue.find(job.id()).orElseThrow();
        boolean hasSet = db.dao(EmbeddingSetDao.class).findByAudioFileAndSignature(f.id(), job.encodingSignature()).isPresent();
        System.out.printf("cancel %s: answer %s, job %s, file %s, set %s%n", moment, answer, after.status().wireName(),
            Files.exists(out), hasSet);
        if (answer == JobQueue.CancelOutcome.REQUESTED || answer == JobQueue.CancelOutcome.CANCELED) {
          assertEquals(JobStatus.CANCELED, after.status(), moment + ": an accepted cancel must stop the job");
          assertFalse(hasSet, moment + ": a canceled job has no embedding set");
          assertEquals(List.of(), list(out.getParent()), moment + ": a canceled job leaves no file, part or temp");
        } else {
          assertEquals(JobQueue.CancelOutcome.ALREADY_FINISHED, answer, moment.toString());
          assertEquals(JobStatus.COMPLETE, after.status(), moment + ": a refused cancel leaves the job complete");
          assertTrue(hasSet && Files.isRegularFile(out), moment + ": a complete job has its set and file");
        }
        if (moment == Moment.AFTER_THE_END) {
          assertEquals(JobQueue.CancelOutcome.ALREADY_FINISHED, answer, "a cancel after the end is refused");
        } else if (moment != Moment.WHEN_THE_FILE_APPEARS) {
          assertEquals(JobQueue.CancelOutcome.REQUESTED, answer, moment + ": the job was running");
        }
      }
      assertTrue(list(home.resolve("data/tmp/runs")).isEmpty(), "no run scratch left: " + list(home.resolve("data/tmp/runs")));
    }
  }

  private static JobQueue.CancelOutcome cancelAt(Moment moment, JobQueue<ProcessingJob> queue, ProcessingJob job, Path out,
      Thread worker) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    switch (moment) {
      case AT_CLAIM -> {
        while (queue.find(job.id()).orElseThrow().status() != JobStatus.RUNNING && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      case MID_RUN -> {
        while (queue.find(job.id()).orElseThrow().status() != JobStatus.RUNNING && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        Thread.sleep(300);
      }
      case WHEN_THE_FILE_APPEARS -> {
        // The file is renamed into place before its set row is inserted: cancel in between.
        while (!Files.exists(out) && worker.isAlive() && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      case AFTER_THE_END -> worker.join(120_000);
    }
    return queue.cancel(job.id());
  }

  private static List<Path> list(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
