package org.humpback.pipelines;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.queue.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker loop around a {@link JobRunner}: claim a job, run it, repeat; sleep {@code pollInterval}
 * when the queue is empty; now and then return the jobs of silent workers to the queue. Any number
 * of workers (threads or processes) can drain one queue; the queue's claim gives each job to one.
 *
 * <p>Graceful shutdown: {@link #stop()} lets the current job finish and then returns from {@link #run()}.
 */
public final class Worker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final JobRunner runner;
  private final JobQueue<ProcessingJob> queue;
  private final Duration pollInterval;
  private final Duration staleAfter;
  private final boolean exitWhenIdle;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong jobsRun = new AtomicLong();

  /**
   * @param pollInterval sleep between empty polls
   * @param staleAfter a running job with an older heartbeat is requeued (must exceed the heartbeat interval)
   * @param exitWhenIdle return from {@link #run()} once the queue is empty (the encode command and tests)
   */
  public Worker(JobRunner runner, JobQueue<ProcessingJob> queue, Duration pollInterval, Duration staleAfter, boolean exitWhenIdle) {
    if (pollInterval == null || pollInterval.isNegative()) {
      throw new IllegalArgumentException("Invalid poll interval: " + pollInterval + " (expected >= 0)");
    }
    if (staleAfter == null || staleAfter.compareTo(runner.settings().heartbeatInterval().multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("Invalid stale threshold: " + staleAfter + " (expected >= 2 x the heartbeat interval "
          + runner.settings().heartbeatInterval() + ")");
    }
    this.runner = runner;
    this.queue = queue;
    this.pollInterval = pollInterval;
    this.staleAfter = staleAfter;
    this.exitWhenIdle = exitWhenIdle;
  }

  @Override
  public void run() {
    String id = runner.settings().workerId();
    LOG.info("Worker {} started", id);
    long lastSweep = 0;
    while (!stopping.get()) {
      long now = System.nanoTime();
      if (now - lastSweep > staleAfter.toNanos() / 2 || lastSweep == 0) {
        lastSweep = now;
        try {
          queue.requeueStale(staleAfter).forEach(t -> LOG.info("Worker {}: job moved after a stale heartbeat: {}", id, t));
        } catch (RuntimeException e) {
          LOG.warn("Worker {}: stale sweep failed: {}", id, e.toString());
        }
      }
      boolean ran;
      try {
        ran = runner.runNext().isPresent();
      } catch (RuntimeException e) {
        // The claim itself failed (database busy beyond its timeout): wait and try again.
        LOG.warn("Worker {}: claiming a job failed: {}", id, e.toString());
        ran = false;
      }
      if (ran) {
        jobsRun.incrementAndGet();
        continue;
      }
      if (exitWhenIdle) {
        break;
      }
      if (!idleSleep()) {
        break;
      }
    }
    LOG.info("Worker {} stopped after {} jobs", id, jobsRun.get());
  }

  /** Stops claiming; the job in progress finishes first. */
  public void stop() {
    stopping.set(true);
  }

  public long jobsRun() {
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
