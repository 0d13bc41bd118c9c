package org.humpback.pipelines;

import java.nio.file.Path;
import java.time.Duration;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;

/** A worker process for the crash test: {@code WorkerMain <home> <workerId>}; runs until killed or idle. */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] args) {
    Path home = Path.of(args[0]);
    try (Database db = Fixtures.openDb(home)) {
      JobRunner runner = new JobRunner(db, home, home.resolve("data"),
          Fixtures.testSettings(args[1]).withEnforceChecks(false), null);
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      new Worker(runner, queue, Duration.ofMillis(100), Duration.ofSeconds(30), true).run();
    }
  }
}
