package org.humpback.pipelines;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polling loop shared by the encoding and the clustering workers: claim a job, run it, repeat;
 * sleep {@code pollInterval} when the queue is empty; every half {@code staleAfter}, return the jobs of
 * silent workers to the queue. Any number of workers (threads or processes) can drain one queue; the
 * queue's claim gives each job to one.
 *
 * <p>Graceful shutdown: {@link #stop()} lets the current job finish and then returns from {@link #run()}.
 */
public abstract class QueueWorker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);

  private final String name;
  private final Duration pollInterval;
  private final Duration staleAfter;
  private final boolean exitWhenIdle;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong jobsRun = new AtomicLong();

  /**
   * @param name how log lines name this worker, e.g. "Worker w1" or "Clustering worker w1"
   * @param pollInterval sleep between empty polls
   * @param staleAfter a running job with an older heartbeat is requeued
   * @param exitWhenIdle return from {@link #run()} once the queue is empty (commands and tests)
   */
  protected QueueWorker(String name, Duration pollInterval, Duration staleAfter, boolean exitWhenIdle) {
    if (pollInterval == null || pollInterval.isNegative()) {
      throw new IllegalArgumentException("Invalid poll interval: " + pollInterval + " (expected >= 0)");
    }
    if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("Invalid stale threshold: " + staleAfter + " (expected > 0)");
    }
    this.name = name;
    this.pollInterval = pollInterval;
    this.staleAfter = staleAfter;
    this.exitWhenIdle = exitWhenIdle;
  }

  /** Claims and runs the next job (or batch of jobs); returns how many ran, 0 when the queue had none. */
  protected abstract int runNextJobs();

  /** Requeues (or fails) running jobs whose heartbeat is older than {@code staleAfter}; returns what moved. */
  protected abstract List<?> requeueStale(Duration staleAfter);

  @Override
  public final void run() {
    LOG.info("{} started", name);
    long lastSweep = 0;
    while (!stopping.get()) {
      long now = System.nanoTime();
      if (lastSweep == 0 || now - lastSweep > staleAfter.toNanos() / 2) {
        lastSweep = now;
        try {
          requeueStale(staleAfter).forEach(t -> LOG.info("{}: job moved after a stale heartbeat: {}", name, t));
        } catch (RuntimeException e) {
          LOG.warn("{}: stale sweep failed: {}", name, e.toString());
        }
      }
      int ran;
      try {
        ran = runNextJobs();
      } catch (RuntimeException e) {
        // The claim itself failed (database busy beyond its timeout): wait and try again.
        LOG.warn("{}: claiming a job failed: {}", name, e.toString());
        ran = 0;
      }
      if (ran > 0) {
        jobsRun.addAndGet(ran);
        continue;
      }
      if (exitWhenIdle || !idleSleep()) {
        break;
      }
    }
    LOG.info("{} stopped after {} jobs", name, jobsRun.get());
  }

  /** Stops claiming; the job in progress finishes first. */
  public final void stop() {
    stopping.set(true);
  }

  public final long jobsRun() {
    return jobsRun.get();
  }

  /** Sleeps one poll interval in short steps so {@link #stop()} is seen quickly; false when interrupted. */
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
