package org.humpback.registry.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker processes drain 300 jobs from one database while this JVM, as the API would, keeps
 * writing (new files, metadata, the last 100 jobs). One worker process is killed with SIGKILL while
 * it holds a job: the others' stale sweep requeues that job and one of them finishes it. Every job
 * completes exactly once, and none is left queued or running.
 *
 * <p>The two surviving hosts run two threads each; the doomed one runs one, so that everything it
 * completed was printed before it printed "holding" (a second thread could commit a job and be
 * killed before saying so, and the test would then miss that completion in the output), and it
 * starts first, alone, so that it surely holds a job before the others can drain the queue.
 */
class JobQueueCrashTest {

  static final int JOBS = 300;
  static final int ENQUEUED_LATE = 100;
  static final int STALE_SECONDS = 2;

  @TempDir Path dir;

  @OnBothBackends
  void threeWorkersDrainTheQueueAndAKilledWorkersJobIsFinishedByAnother(TestBackend backend) throws Exception {
    String url = backend.newUrl(dir);
    Path doneFile = dir.resolve("no-more-jobs");
    Set<String> ids = ConcurrentHashMap.newKeySet();
    try (Database db = Database.open(url, dir, 4, Duration.ofSeconds(10))) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      for (int i = 0; i < JOBS - ENQUEUED_LATE; i++) {
        ids.add(queue.enqueue(job(db, "early-" + i)).id());
      }

      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Map<String, Process> processes = new HashMap<>();
      List<Thread> readers = new ArrayList<>();
      List<String> all = new ArrayList<>();
      // The doomed worker starts alone, so that it surely reaches its third job (two faster hosts once drained the
      // queue before it got there): it completes two and holds the third, heartbeating, as a worker deep in a long
      // file does.
      start(url, "doomed", doneFile, 1, "hold", processes, readers, lines);
      String held = null;
      long holdDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (held == null && System.nanoTime() < holdDeadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          all.add(line);
          held = line.startsWith("holding ") ? line.split(" ")[1] : null;
        }
      }
      assertTrue(held != null, "the doomed worker never held a job:\n" + String.join("\n", all));
      assertEquals(JobStatus.RUNNING, queue.status(held).orElseThrow());
      start(url, "hostB", doneFile, 2, "work", processes, readers, lines);
      start(url, "hostC", doneFile, 2, "work", processes, readers, lines);
      processes.get("doomed").destroyForcibly(); // SIGKILL while it holds the job: no shutdown hook, no cleanup
      assertTrue(processes.get("doomed").waitFor(30, TimeUnit.SECONDS));

      // The API's writes while the workers drain: files, metadata, and the last 100 jobs.
      for (int i = 0; i < ENQUEUED_LATE; i++) {
        ProcessingJob late = job(db, "late-" + i);
        db.dao(AudioMetadataDao.class).upsert(new AudioMetadata(null, late.audioFileId(), "{\"tag\":\"L" + i + "\"}", null, null, null));
        ids.add(queue.enqueue(late).id());
        Thread.sleep(10);
      }
      Files.writeString(doneFile, "done");

      // Read everything every process says until the two hosts have drained the queue.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && processes.values().stream().anyMatch(Process::isAlive)) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          all.add(line);
        }
      }
      for (Process p : processes.values()) {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "a worker process is still running");
      }
      for (Thread reader : readers) {
        reader.join(TimeUnit.SECONDS.toMillis(10)); // each ends at its process's end of output
      }
      lines.drainTo(all);

      assertEquals(0, processes.get("hostB").exitValue());
      assertEquals(0, processes.get("hostC").exitValue());
      assertEquals(List.of(), all.stream().filter(l -> l.startsWith("lost") || l.startsWith("error")).toList());

      Map<String, List<String>> completedBy = new HashMap<>();
      Map<String, Integer> claims = new HashMap<>();
      Set<String> claimers = new HashSet<>();
      for (String line : all) {
        String[] parts = line.split(" ");
        if (parts[0].equals("completed")) {
          completedBy.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[2]);
        } else if (parts[0].equals("claimed")) {
          claims.merge(parts[1], 1, Integer::sum);
          claimers.add(parts[2].substring(0, parts[2].indexOf('-')));
        }
      }
      assertEquals(ids, completedBy.keySet(), "every job completed");
      assertEquals(List.of(), completedBy.entrySet().stream().filter(e -> e.getValue().size() != 1).toList(),
          "no job completed twice");
      assertEquals(Set.of("doomed", "hostB", "hostC"), claimers, "all three workers claimed jobs");
      assertEquals(2, claims.get(held), "the held job: claimed by the doomed worker, then by another");
      assertNotEquals("doomed", completedBy.get(held).get(0).substring(0, 6));

      ProcessingJobDao dao = db.dao(ProcessingJobDao.class);
      assertEquals(JOBS, dao.countByStatus(JobStatus.COMPLETE));
      for (JobStatus s : List.of(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELED)) {
        assertEquals(0, dao.countByStatus(s), s + " jobs left");
      }
      ProcessingJob finished = dao.findById(held).orElseThrow();
      assertEquals(2, finished.attempts());
      assertTrue(finished.workerId().startsWith("host"), finished.workerId());
      System.out.printf("%s: %d jobs by 3 processes, %d claims; held job %s finished by %s%n", backend, JOBS,
          claims.values().stream().mapToInt(Integer::intValue).sum(), held, finished.workerId());
    } finally {
      if (!Files.exists(doneFile)) {
        Files.writeString(doneFile, "done");
      }
    }
  }

  private static ProcessingJob job(Database db, String sha) {
    AudioFile f = TestDatabases.audioFile(db, sha);
    return ProcessingJob.queued(f.id(), "sig", "m", 5.0, 32000, null, 3);
  }

  /** Starts a worker process as its own "host" (its own working directory) and a thread that reads its output. */
  private void start(String url, String name, Path doneFile, int threads, String mode, Map<String, Process> processes,
      List<Thread> readers, BlockingQueue<String> lines) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path home = Files.createDirectories(dir.resolve(name));
    Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + home,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        QueueWorkerMain.class.getName(), url, name, String.valueOf(threads), String.valueOf(STALE_SECONDS),
        doneFile.toString(), mode)
        .directory(home.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.put(name, p);
    Thread reader = new Thread(() -> pump(p, lines), "read-" + name);
    reader.setDaemon(true);
    reader.start();
    readers.add(reader);
  }

  private static void pump(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (java.io.IOException e) {
      lines.add("error reading a worker's output: " + e);
    }
  }
}
