package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
      assertEquals(expected, EmbeddingParquet.read(Path.of(sets.get(0).parquetPath())).rows().size());
      assertEquals(List.of(Path.of(sets.get(0).parquetPath())), list(out), "only the final file, no temp files");
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
