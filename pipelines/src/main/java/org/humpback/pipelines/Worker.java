package org.humpback.pipelines;

import java.time.Duration;
import java.util.List;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.queue.JobQueue;

/**
 * The encoding worker: a {@link QueueWorker} around a {@link JobRunner} that drains
 * {@code processing_jobs}, up to {@code batchJobs} jobs per pipeline run.
 */
public final class Worker extends QueueWorker {

  private final JobRunner runner;
  private final JobQueue<ProcessingJob> queue;

  /**
   * @param pollInterval sleep between empty polls
   * @param staleAfter a running job with an older heartbeat is requeued (must be at least twice the heartbeat interval)
   * @param exitWhenIdle return from {@link #run()} once the queue is empty (the encode command and tests)
   */
  public Worker(JobRunner runner, JobQueue<ProcessingJob> queue, Duration pollInterval, Duration staleAfter, boolean exitWhenIdle) {
    super("Worker " + runner.settings().workerId(), pollInterval, checkStale(runner, staleAfter), exitWhenIdle);
    this.runner = runner;
    this.queue = queue;
  }

  private static Duration checkStale(JobRunner runner, Duration staleAfter) {
    Duration heartbeat = runner.settings().heartbeatInterval();
    if (staleAfter == null || staleAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("Invalid stale threshold: " + staleAfter
          + " (expected >= 2 x the heartbeat interval " + heartbeat + ")");
    }
    return staleAfter;
  }

  @Override
  protected int runNextJobs() {
    return runner.runNextBatch(runner.settings().batchJobs()).size();
  }

  /** Whether this worker has swept the storage root's leftovers since it started. */
  private boolean swept;

  /** Also removes what killed processes left behind: at the first sweep, and whenever jobs of a silent worker moved. */
  @Override
  protected List<?> requeueStale(Duration staleAfter) {
    List<?> moved = queue.requeueStale(staleAfter);
    if (!swept || !moved.isEmpty()) {
      swept = true;
      runner.removeLeftovers(staleAfter);
    }
    return moved;
  }
}
