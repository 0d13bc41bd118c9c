package org.humpback.registry.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;

/**
 * A worker process for {@link JobQueueProcessTest}: drains the processing queue of the database
 * whose URL is args[0] with args[2] threads named after args[1], printing "claimed <jobId> <worker>" per job.
 */
public final class QueueDrainMain {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String name = args[1];
    int threads = Integer.parseInt(args[2]);
    try (Database db = Database.open(url, Path.of("").toAbsolutePath(), threads, Duration.ofSeconds(30))) {
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String worker = name + "-" + t;
        Thread th = new Thread(() -> {
          for (Optional<ProcessingJob> c = queue.claim(worker); c.isPresent(); c = queue.claim(worker)) {
            String id = c.get().id();
            synchronized (System.out) {
              System.out.println("claimed " + id + " " + worker);
            }
            queue.heartbeat(id, worker);
            if (!queue.complete(id, worker)) {
              System.out.println("lost " + id + " " + worker);
            }
          }
        });
        th.start();
        workers.add(th);
      }
      for (Thread th : workers) {
        th.join();
      }
    }
    System.out.flush();
  }
}
