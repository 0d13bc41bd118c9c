package org.humpback.pipelines;

import org.humpback.transforms.beam.EmbeddingParquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker process killed with SIGKILL in the middle of a job: nothing partial is left, and a restarted worker finishes it. */
class WorkerCrashTest {

  @Test
  void aKilledWorkersJobIsRequeuedAndCompletedWithNoPartialOutput(@TempDir Path home) throws Exception {
    ModelRecord yamnet;
    ProcessingJob job;
    AudioFile audio;
    try (Database db = Fixtures.openDb(home)) {
      yamnet = Fixtures.registerYamnet(db);
      audio = new AudioImport(db, home.resolve("data"))
          .importFile(Fixtures.chirpWav(home.resolve("in/long.wav"), 300, 16000, 5), "in").file();
      job = JobQueue.processing(db.jdbi()).enqueue(Fixtures.job(audio.id(), yamnet, null));
    }

    long t0 = System.nanoTime();
    Process worker = launchWorker(home, "doomed");
    Path out = home.resolve("data/embeddings/yamnet/" + audio.id());
    try (Database db = Fixtures.openDb(home)) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // Kill shortly after the claim: the pipeline is then decoding/embedding (progress is reported per shard).
      while (queue.find(job.id()).orElseThrow().heartbeatAt() == null && worker.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(1000);
      ProcessingJob running = queue.find(job.id()).orElseThrow();
      assertEquals(JobStatus.RUNNING, running.status(), "the worker should be mid-job: " + running);
      assertEquals("doomed", running.workerId());
      System.out.printf("killing after %.1f s at %d windows%n", (System.nanoTime() - t0) / 1e9, running.windowsDone());
      worker.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      worker.waitFor();
      assertTrue(!Files.exists(out) || listFinal(out).isEmpty(), "no final Parquet after the kill: " + list(out));
      assertEquals(JobStatus.RUNNING, queue.find(job.id()).orElseThrow().status(), "the dead worker still holds it");

      // A restarted worker: its stale sweep returns the silent job to the queue, then it runs it.
      Thread.sleep(1200);
      JobRunner runner = new JobRunner(db, home, home.resolve("data"), Fixtures.testSettings("restarted").withEnforceChecks(false), null);
      new Worker(runner, queue, Duration.ZERO, Duration.ofSeconds(1), true).run();
      System.out.printf("restarted worker done after %.1f s%n", (System.nanoTime() - t0) / 1e9);
      ProcessingJob done = queue.find(job.id()).orElseThrow();
      assertEquals(JobStatus.COMPLETE, done.status(), done.toString());
      assertEquals(2, done.attempts());
      assertEquals("restarted", done.workerId());
      List<EmbeddingSet> sets = db.dao(EmbeddingSetDao.class).listByAudioFile(audio.id());
      assertEquals(1, sets.size());
      long expected = (long) Math.ceil(300 / 0.975);
      assertEquals(expected, sets.get(0).rowCount());
      assertEquals(expected, EmbeddingParquet.read(sets.get(0).parquetPath()).rows().size());
      assertEquals(List.of(Path.of(sets.get(0).parquetPath())), list(out), "only the final file, no temp files");
      assertEquals(List.of(), list(home.resolve("data/tmp/runs")), "no run scratch of either attempt");
    } finally {
      worker.destroyForcibly();
    }
  }

  /**
   * Issue 15 item 7: SIGKILL mid-write leaves the run's scratch, Parquet parts and temps; the job is then
   * cancelled, so no rerun rewrites them. A restarted worker's first sweep removes all of it (and an
   * upload temp a killed server left), and touches nothing a live job owns.
   */
  @Test
  void aRestartedWorkerRemovesWhatAKilledOneLeftBehind(@TempDir Path home) throws Exception {
    ProcessingJob job;
    AudioFile audio;
    AudioFile other;
    ProcessingJob otherJob;
    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      AudioImport importer = new AudioImport(db, home.resolve("data"));
      audio = importer.importFile(Fixtures.chirpWav(home.resolve("in/long.wav"), 600, 16000, 5), "in").file();
      job = JobQueue.processing(db.jdbi()).enqueue(Fixtures.job(audio.id(), yamnet, null));
      other = importer.importFile(Fixtures.chirpWav(home.resolve("in/other.wav"), 3, 16000, 6), "in").file();
      otherJob = Fixtures.job(other.id(), yamnet, null);
    }
    Path data = home.resolve("data");
    Path out = data.resolve("embeddings/yamnet/" + audio.id());
    Process worker = launchWorker(home, "doomed");
    try (Database db = Fixtures.openDb(home)) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      Path parts = out.resolve(job.encodingSignature() + ".parquet.parts");
      while (!(Files.isDirectory(parts) && !list(parts).isEmpty()) && worker.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      worker.destroyForcibly(); // SIGKILL while parts are being written
      worker.waitFor();
      assertTrue(Files.isDirectory(parts) && !list(parts).isEmpty(), "the kill left parts behind: " + list(out));
      // The run's scratch (TextIO's outcomes) is only written at the run's end; a kill then leaves this:
      Path deadRun = Files.createDirectories(Leftovers.runDir(data, queue.find(job.id()).orElseThrow())
          .resolve("outcomes/.temp-beam-1"));
      Files.writeString(deadRun.resolve("outcome-00000-of-00001.jsonl"), "{}");
      Path upload = Files.createDirectories(data.resolve("audio/tmp")).resolve("upload-1234.part");
      Files.writeString(upload, "half an upload of a killed server");
      Files.setLastModifiedTime(upload, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));

      // The user cancels the job of the dead worker: it will never run again, so nothing rewrites its files.
      assertEquals(JobQueue.CancelOutcome.REQUESTED, queue.cancel(job.id()));
      // A live job's scratch must survive the sweep: a second job is claimed (running, fresh heartbeat).
      queue.enqueue(otherJob);
      ProcessingJob live = queue.claim("live").orElseThrow();
      Path liveRun = Files.createDirectories(Leftovers.runDir(data, live));
      Path liveParts = Files.createDirectories(data.resolve("embeddings/yamnet/" + other.id() + "/"
          + live.encodingSignature() + ".parquet.parts"));

      Thread.sleep(3500); // the dead worker's heartbeat is now older than the 3-s threshold, the live one's is not
      JobRunner runner = new JobRunner(db, home, data, Fixtures.testSettings("restarted").withEnforceChecks(false), null);
      queue.heartbeat(live.id(), "live");
      Worker restarted = new Worker(runner, queue, Duration.ZERO, Duration.ofSeconds(3), true);
      restarted.run();
      assertEquals(JobStatus.CANCELED, queue.find(job.id()).orElseThrow().status());
      assertEquals(List.of(), list(out), "no part, temp or file of the killed run");
      assertEquals(List.of(liveRun), list(data.resolve("tmp/runs")), "only the live job's scratch is left");
      assertTrue(Files.isDirectory(liveParts), "a running job's parts are kept");
      assertTrue(!Files.exists(upload), "an old upload temp is removed");
      assertTrue(db.dao(EmbeddingSetDao.class).listByAudioFile(audio.id()).isEmpty());
    } finally {
      worker.destroyForcibly();
    }
  }

  private static Process launchWorker(Path home, String id) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-Dhumpback.shared=" + System.getProperty("humpback.shared"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkerMain.class.getName());
    cmd.add(home.toString());
    cmd.add(id);
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(home.resolve("worker-" + id + ".log").toFile()).start();
  }

  private static List<Path> list(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static List<Path> listFinal(Path dir) throws Exception {
    return list(dir).stream().filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
  }

}
