package org.humpback.pipelines.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker loop around a {@link ClusteringJobRunner}, the clustering counterpart of the encoding
 * {@code org.humpback.pipelines.Worker}: claim a clustering job, run it, repeat; sleep {@code pollInterval} when the
 * queue is empty; now and then return the jobs of silent workers to the queue. Run one next to the encoding workers
 * so a worker process drains both queues.
 */
public final class ClusteringWorker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteringWorker.class);

  private final ClusteringJobRunner runner;
  private final String workerId;
  private final Duration pollInterval;
  private final Duration staleAfter;
  private final boolean exitWhenIdle;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong jobsRun = new AtomicLong();

  /**
   * @param staleAfter a running clustering job with an older heartbeat is requeued (must exceed the heartbeat interval)
   * @param exitWhenIdle return from {@link #run()} once the queue is empty
   */
  public ClusteringWorker(ClusteringJobRunner runner, String workerId, Duration pollInterval, Duration staleAfter,
                          boolean exitWhenIdle) {
    if (pollInterval == null || pollInterval.isNegative()) {
      throw new IllegalArgumentException("Invalid poll interval: " + pollInterval + " (expected >= 0)");
    }
    if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("Invalid stale threshold: " + staleAfter + " (expected > 0)");
    }
    this.runner = runner;
    this.workerId = workerId;
    this.pollInterval = pollInterval;
    this.staleAfter = staleAfter;
    this.exitWhenIdle = exitWhenIdle;
  }

  @Override
  public void run() {
    LOG.info("Clustering worker {} started", workerId);
    long lastSweep = 0;
    while (!stopping.get()) {
      long now = System.nanoTime();
      if (lastSweep == 0 || now - lastSweep > staleAfter.toNanos() / 2) {
        lastSweep = now;
        try {
          runner.queue().requeueStale(staleAfter)
              .forEach(t -> LOG.info("Clustering worker {}: job moved after a stale heartbeat: {}", workerId, t));
        } catch (RuntimeException e) {
          LOG.warn("Clustering worker {}: stale sweep failed: {}", workerId, e.toString());
        }
      }
      boolean ran;
      try {
        ran = runner.runNext().isPresent();
      } catch (RuntimeException e) {
        LOG.warn("Clustering worker {}: claiming a job failed: {}", workerId, e.toString());
        ran = false;
      }
      if (ran) {
        jobsRun.incrementAndGet();
        continue;
      }
      if (exitWhenIdle || !idleSleep()) {
        break;
      }
    }
    LOG.info("Clustering worker {} stopped after {} jobs", workerId, jobsRun.get());
  }

  /**
   * A clustering worker for the {@code humpback worker} command, added (not started) to {@code threads} so it starts
   * and is joined with the encoding workers.
   */
  public static ClusteringWorker forCommand(org.humpback.registry.db.Database db,
                                            org.humpback.registry.config.HumpbackSettings settings, String workerId,
                                            String runner, Duration pollInterval, Duration staleAfter,
                                            boolean exitWhenIdle, java.util.List<Thread> threads) {
    org.humpback.pipelines.JobRunner.Settings s = org.humpback.pipelines.JobRunner.Settings.defaults(workerId)
        .withRunner(runner, settings.flinkMaster(), null);
    ClusteringWorker w = new ClusteringWorker(new ClusteringJobRunner(db, settings.storageRoot(), s), workerId,
        pollInterval, staleAfter, exitWhenIdle);
    threads.add(new Thread(w, "worker-" + workerId));
    return w;
  }

  /** Stops claiming; the job in progress finishes first. */
  public void stop() {
    stopping.set(true);
  }

  public long jobsRun() {
    return jobsRun.get();
  }

  private boolean idleSleep() {
    long end = System.nanoTime() + pollInterval.toNanos();
    while (!stopping.get() && System.nanoTime() < end) {
      try {
        Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
