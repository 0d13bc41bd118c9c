package org.humpback.registry.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;

/**
 * A worker process for {@link JobQueueCrashTest}, at queue level: the protocol of the real worker
 * (sweep stale jobs when idle, claim, heartbeat while working, complete) without the pipeline.
 *
 * <p>Arguments: database URL, worker name, threads, stale seconds, the file whose existence means
 * "no more jobs will be enqueued", and {@code hold} or {@code work}. With {@code hold}, thread 0
 * keeps its third job forever (heartbeating, as a worker deep in a long file does) after printing
 * "holding <jobId> <worker>": the test then kills the process with SIGKILL.
 *
 * <p>Prints "claimed <jobId> <worker> <attempts>" and "completed <jobId> <worker>"; exits when the
 * done file exists and no job is queued or running.
 */
public final class QueueWorkerMain {

  static final Duration HEARTBEAT = Duration.ofMillis(200);

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String name = args[1];
    int threads = Integer.parseInt(args[2]);
    Duration stale = Duration.ofSeconds(Long.parseLong(args[3]));
    Path doneFile = Path.of(args[4]);
    boolean hold = args[5].equals("hold");
    try (Database db = Database.open(url, Path.of("").toAbsolutePath(), threads + 1, Duration.ofSeconds(30))) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      ProcessingJobDao jobs = db.dao(ProcessingJobDao.class);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String worker = name + "-" + t;
        boolean holder = hold && t == 0;
        Thread th = new Thread(() -> {
          try {
            int claimed = 0;
            while (true) {
              Optional<ProcessingJob> c = queue.claim(worker);
              if (c.isEmpty()) {
                queue.requeueStale(stale);
                if (Files.exists(doneFile)
                    && jobs.countByStatus(JobStatus.QUEUED) + jobs.countByStatus(JobStatus.RUNNING) == 0) {
                  return;
                }
                Thread.sleep(50);
                continue;
              }
              String id = c.get().id();
              say("claimed " + id + " " + worker + " " + c.get().attempts());
              if (holder && ++claimed == 3) {
                say("holding " + id + " " + worker);
                while (true) {
                  queue.heartbeat(id, worker);
                  Thread.sleep(HEARTBEAT.toMillis());
                }
              }
              Thread.sleep(5); // the work
              if (queue.progress(id, worker, 1, 1L, 200.0) != JobQueue.Heartbeat.OWNED || !queue.complete(id, worker)) {
                say("lost " + id + " " + worker);
              } else {
                say("completed " + id + " " + worker);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            say("error " + worker + " " + e);
          }
        }, worker);
        th.start();
        workers.add(th);
      }
      for (Thread th : workers) {
        th.join();
      }
    }
  }

  private static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
