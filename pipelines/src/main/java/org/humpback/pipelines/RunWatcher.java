package org.humpback.pipelines;

import java.time.Duration;
import org.humpback.registry.queue.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats a claimed job while its pipeline runs, with progress, and stops the run on a cancel
 * request or when the job was lost to another worker. Shared by the encoding and clustering job
 * runners. Runs on the calling thread (the pipeline has its own), so there is no extra thread to leak.
 */
public final class RunWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(RunWatcher.class);

  /** What the watcher needs of a running pipeline. */
  public interface WatchedRun {
    boolean isDone();

    void cancel();

    /** Work units done so far (windows embedded or read). */
    long done();
  }

  /** Called after each successful heartbeat, e.g. to draw a progress bar. */
  public interface ProgressListener {
    void progress(long done, long total, double perSecond);
  }

  private RunWatcher() {}

  /**
   * Watches {@code run} until it ends.
   *
   * @param total work units expected (0 when unknown)
   * @param t0 {@link System#nanoTime()} when the run started, for the rate
   * @return the last heartbeat answer: OWNED when the run ended normally
   */
  public static <J> JobQueue.Heartbeat watch(JobQueue<J> queue, String jobId, String workerId, Duration interval,
      WatchedRun run, long total, long t0, ProgressListener listener) {
    JobQueue.Heartbeat last = JobQueue.Heartbeat.OWNED;
    long intervalNs = interval.toNanos();
    long nextBeat = System.nanoTime() + intervalNs;
    while (!run.isDone()) {
      try {
        // Short sleeps so a finished run is noticed quickly; one heartbeat per interval.
        Thread.sleep(Math.min(interval.toMillis(), 100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        run.cancel();
        return JobQueue.Heartbeat.CANCEL_REQUESTED;
      }
      if (System.nanoTime() < nextBeat) {
        continue;
      }
      nextBeat = System.nanoTime() + intervalNs;
      long done = run.done();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double perSecond = seconds > 0 ? done / seconds : 0;
      try {
        last = queue.progress(jobId, workerId, done, total > 0 ? Math.max(total, done) : null, perSecond);
      } catch (RuntimeException e) {
        LOG.warn("Heartbeat for job {} failed (will retry): {}", jobId, e.toString());
        continue;
      }
      listener.progress(done, total, perSecond);
      if (last != JobQueue.Heartbeat.OWNED) {
        run.cancel();
        return last;
      }
    }
    return last;
  }
}
