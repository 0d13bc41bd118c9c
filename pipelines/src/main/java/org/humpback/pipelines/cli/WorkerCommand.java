package org.humpback.pipelines.cli;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.Worker;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.queue.JobQueue;

/**
 * {@code humpback worker}: polls the job table and runs encoding and clustering jobs until stopped (Ctrl-C / SIGTERM
 * let the jobs in progress finish first). Several worker processes, or {@code --workers N} threads,
 * can drain one queue.
 */
public final class WorkerCommand {

  static final String USAGE = """
      usage: humpback worker [options]
        --workers N              worker threads in this process (default 1)
        --worker-id ID           name in the job table (default host-pid, suffixed per thread)
        --poll-seconds S         sleep between empty polls (default 2)
        --stale-seconds S        requeue running jobs silent this long (default 60)
      %s
        --batch-size N           windows per model call (default 16)
        --threads N              model runtime threads
        --exit-when-idle         stop once the queue is empty""".formatted(RunnerFlags.USAGE);

  private WorkerCommand() {}

  public static int run(String[] args) {
    CliArgs a;
    try {
      a = CliArgs.parse(args, CliArgs.union(Set.of("workers", "worker-id", "poll-seconds", "stale-seconds", "batch-size",
          "threads"), RunnerFlags.NAMES), Set.of("exit-when-idle", "help"));
    } catch (IllegalArgumentException e) {
      System.err.println("humpback worker: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
    if (a.flag("help")) {
      System.err.println(USAGE);
      return 0;
    }
    try (CliContext ctx = CliContext.open()) {
      RunnerFlags rf = RunnerFlags.of(a, ctx.settings());
      int n = a.integer("workers", 1);
      if (n < 1) {
        throw new IllegalArgumentException("Invalid --workers: " + n + " (expected >= 1)");
      }
      String base = a.get("worker-id", ManagementFactory.getRuntimeMXBean().getName());
      Duration poll = Duration.ofMillis(Math.round(a.decimal("poll-seconds", 2.0) * 1000));
      Duration stale = Duration.ofMillis(Math.round(a.decimal("stale-seconds", 60.0) * 1000));
      JobQueue<ProcessingJob> queue = JobQueue.processing(ctx.db().jdbi());
      List<Worker> workers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = n == 1 ? base : base + "-" + (i + 1);
        JobRunner.Settings s = new JobRunner.Settings(id, rf.runner(), rf.flinkMaster(),
            rf.parallelism(), Duration.ofSeconds(5),
            a.integer("threads", 0), a.integer("batch-size", 16), false);
        JobRunner runner = new JobRunner(ctx.db(), ctx.settings().home(), ctx.settings().storageRoot(), s, new JobRunner.Listener() {
          @Override
          public void finished(JobRunner.JobReport r) {
            System.out.printf("%s job %s %s%s (%d windows, %.1f s)%n", id, r.jobId(), r.outcome().name().toLowerCase(),
                r.error() == null ? "" : ": " + r.error(), r.windows(), r.elapsed().toMillis() / 1000.0);
          }
        });
        Worker w = new Worker(runner, queue, poll, stale, a.flag("exit-when-idle"));
        workers.add(w);
        Thread t = new Thread(w, "worker-" + id);
        threads.add(t);
      }
      // Clustering jobs: one more loop on the clustering queue, so this process drains both queues.
      org.humpback.pipelines.cluster.ClusteringWorker clustering = org.humpback.pipelines.cluster.ClusteringWorker.forCommand(
          ctx.db(), ctx.settings(), base + "-clustering", rf.runner(), rf.flinkMaster(), poll, stale,
          a.flag("exit-when-idle"), threads);
      Thread hook = new Thread(() -> {
        System.err.println("humpback worker: stopping after the jobs in progress");
        workers.forEach(Worker::stop);
        clustering.stop();
        for (Thread t : threads) {
          try {
            t.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }, "worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      // The database as Database names it: never its password.
      System.out.printf("humpback worker: %d worker(s) polling %s%n", n, ctx.db());
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("humpback worker: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
