package org.humpback.pipelines.cluster;

import java.time.Duration;
import java.util.List;
import org.humpback.pipelines.QueueWorker;

/**
 * A worker loop around a {@link ClusteringJobRunner}, the clustering counterpart of the encoding
 * {@code org.humpback.pipelines.Worker}: claim a clustering job, run it, repeat; sleep {@code pollInterval} when the
 * queue is empty; now and then return the jobs of silent workers to the queue. Run one next to the encoding workers
 * so a worker process drains both queues.
 */
public final class ClusteringWorker extends QueueWorker {

  private final ClusteringJobRunner runner;

  /**
   * @param staleAfter a running clustering job with an older heartbeat is requeued (must exceed the heartbeat interval)
   * @param exitWhenIdle return from {@link #run()} once the queue is empty
   */
  public ClusteringWorker(ClusteringJobRunner runner, String workerId, Duration pollInterval, Duration staleAfter,
                          boolean exitWhenIdle) {
    super("Clustering worker " + workerId, pollInterval, staleAfter, exitWhenIdle);
    this.runner = runner;
  }

  @Override
  protected int runNextJobs() {
    return runner.runNext().isPresent() ? 1 : 0;
  }

  @Override
  protected List<?> requeueStale(Duration staleAfter) {
    return runner.queue().requeueStale(staleAfter);
  }

  /**
   * A clustering worker for the {@code humpback worker} command, added (not started) to {@code threads} so it starts
   * and is joined with the encoding workers.
   */
  public static ClusteringWorker forCommand(org.humpback.registry.db.Database db,
                                            org.humpback.registry.config.HumpbackSettings settings, String workerId,
                                            String runner, String flinkMaster, Duration pollInterval, Duration staleAfter,
                                            boolean exitWhenIdle, java.util.List<Thread> threads) {
    org.humpback.pipelines.JobRunner.Settings s = org.humpback.pipelines.JobRunner.Settings.defaults(workerId)
        .withRunner(runner, flinkMaster, null);
    ClusteringWorker w = new ClusteringWorker(new ClusteringJobRunner(db, settings.storageRoot(), s), workerId,
        pollInterval, staleAfter, exitWhenIdle);
    threads.add(new Thread(w, "worker-" + workerId));
    return w;
  }
}
