package org.humpback.pipelines;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline run started on a thread of its own, so that callers poll, cancel and await it the same
 * way on every runner: the Flink runner's {@code run()} blocks until a batch job ends (and gives no
 * handle until then), the direct runner's returns at once. The encoding and clustering runs build on it.
 */
public final class LaunchedPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(LaunchedPipeline.class);

  private final AtomicReference<PipelineResult> result = new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread launcher;
  private volatile boolean cancelRequested;
  private volatile boolean cancelCameTooLate;

  /** Starts {@code p} on a daemon thread named {@code threadName}. */
  public LaunchedPipeline(Pipeline p, String threadName) {
    launcher = new Thread(() -> {
      try {
        PipelineResult r = p.run();
        result.set(r);
        if (cancelRequested) {
          cancel(r); // asked for before the runner handed back its handle (building a run can take seconds)
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }, threadName);
    launcher.setDaemon(true);
    launcher.start();
  }

  /** What the run failed with (thrown by {@code run()} or by the wait), or {@code null}. */
  public Throwable failure() {
    return failure.get();
  }

  public boolean isDone() {
    if (launcher.isAlive()) {
      return false;
    }
    PipelineResult r = result.get();
    return r == null || r.getState().isTerminal();
  }

  /**
   * Cancels through the runner's handle ({@link PipelineResult#cancel()}) when the run is not over, at once or, when
   * {@code run()} has not returned yet, as soon as it does. Failures only log.
   */
  public void cancel() {
    cancelRequested = true;
    PipelineResult r = result.get();
    if (r != null) {
      cancel(r);
    }
  }

  private void cancel(PipelineResult r) {
    try {
      if (!r.getState().isTerminal()) {
        r.cancel();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cancelling the pipeline on {} failed: {}", launcher.getName(), e.toString());
    }
  }

  /**
   * Waits for the end, as a caller that may have cancelled sees it: {@code CANCELLED} when a cancel was asked for and
   * the run did not finish first; {@code DONE} when it did, although a cancel was asked for (the cancel came too late:
   * {@link #cancelCameTooLate()}, and the outputs stand); {@code FAILED} when {@code run()} or the wait threw (see
   * {@link #failure()}); {@code UNKNOWN} when the runner does not say. An interrupt of the waiting thread cancels.
   */
  public PipelineResult.State await() {
    PipelineResult.State state;
    try {
      state = runnerState();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      return PipelineResult.State.CANCELLED;
    }
    if (state == PipelineResult.State.DONE) {
      cancelCameTooLate = cancelRequested;
      return state;
    }
    return cancelRequested ? PipelineResult.State.CANCELLED : state;
  }

  /** After {@link #await()}: a cancel was asked for, but the runner finished the run first (e.g. a remote Flink job). */
  public boolean cancelCameTooLate() {
    return cancelCameTooLate;
  }

  private PipelineResult.State runnerState() throws InterruptedException {
    launcher.join();
    PipelineResult r = result.get();
    if (r == null) {
      return PipelineResult.State.FAILED;
    }
    try {
      PipelineResult.State state = r.waitUntilFinish();
      return state == null ? PipelineResult.State.UNKNOWN : state;
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      return PipelineResult.State.FAILED;
    }
  }

  /**
   * The sum of a counter's attempted values over all steps; {@code -1} while the runner has no
   * handle yet or cannot answer (some runners answer metrics only at the end).
   */
  public long counter(Class<?> namespace, String name) {
    return counter(namespace.getName(), name);
  }

  /** As {@link #counter(Class, String)} for a namespace given by name. */
  public long counter(String namespace, String name) {
    PipelineResult r = result.get();
    if (r == null) {
      return -1;
    }
    try {
      long sum = 0;
      for (MetricResult<Long> m : r.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
        sum += m.getAttempted();
      }
      return sum;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The innermost cause: Beam wraps a DoFn's exception several times. */
  public static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
