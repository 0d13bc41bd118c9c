package org.humpback.registry.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.junit.jupiter.api.io.TempDir;

/** Two worker JVMs (two threads each) drain one queue, in one SQLite file or one PostgreSQL database: each job is claimed once. */
class JobQueueProcessTest {

  @TempDir Path dir;

  @OnBothBackends
  void twoProcessesClaimEveryJobExactlyOnce(TestBackend backend) throws Exception {
    int jobs = 200;
    Set<String> ids = new HashSet<>();
    String url = backend.newUrl(dir);
    try (Database db = Database.open(url, dir, 4, Duration.ofSeconds(10))) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      for (int i = 0; i < jobs; i++) {
        AudioFile f = TestDatabases.audioFile(db, "sha-" + i);
        ids.add(queue.enqueue(ProcessingJob.queued(f.id(), "sig", "m", 5.0, 32000, null, 3)).id());
      }
    }

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (String name : List.of("jvmA", "jvmB")) {
      processes.add(new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + dir,
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
          QueueDrainMain.class.getName(), url, name, "2")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }
    Map<String, String> claimedBy = new HashMap<>();
    List<String> problems = new ArrayList<>();
    Set<String> processesThatClaimed = new HashSet<>();
    for (Process p : processes) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          String[] parts = line.split(" ");
          if (parts[0].equals("claimed")) {
            String previous = claimedBy.put(parts[1], parts[2]);
            if (previous != null) {
              problems.add(parts[1] + " claimed by " + previous + " and " + parts[2]);
            }
            processesThatClaimed.add(parts[2].substring(0, 4));
          } else {
            problems.add(line);
          }
        }
      }
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "worker process finished");
      assertEquals(0, p.exitValue(), "worker process exit status");
    }
    assertEquals(List.of(), problems);
    assertEquals(ids, claimedBy.keySet());
    try (Database db = Database.open(url, dir, 2, Duration.ofSeconds(10))) {
      assertEquals(jobs, db.dao(ProcessingJobDao.class).countByStatus(JobStatus.COMPLETE));
    }
    // Not asserted (scheduling decides), but worth seeing when it happens: one JVM took all.
    if (processesThatClaimed.size() < 2) {
      System.out.println("note: only " + processesThatClaimed + " claimed jobs");
    }
  }
}
