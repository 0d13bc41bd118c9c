package org.humpback.pipelines;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.humpback.transforms.audio.AudioDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does, on a spare core, one-time work that a JVM's first run would otherwise do on its critical
 * path, while the runner translates and submits the pipeline (single-threaded work that leaves the
 * other cores idle), or earlier, while a process imports files or starts its runner:
 * <ul>
 *   <li>Beam's generated invoker class for each DoFn of the pipeline (ByteBuddy code generation,
 *       which the runner otherwise does as it translates and starts the pipeline; Beam caches it per
 *       DoFn class, so the runner finds it ready or being made);</li>
 *   <li>the Parquet writer's classes and native codec, which the first part file would load;</li>
 *   <li>before a process's first run, FFmpeg's native libraries and Beam's JSON serialization of
 *       pipeline options.</li>
 * </ul>
 * Later runs in the same JVM find all of it cached and the warm-up ends at once. A failure here
 * only logs: the runner redoes the work and reports any real error itself.
 */
final class WarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  private static final AtomicBoolean PARQUET_WRITER = new AtomicBoolean();

  private WarmUp() {}

  /**
   * Starts warming up what every run needs, before there is a pipeline (a process that will run
   * one: {@link EncodingPipeline#prepareRunner}): besides the Parquet writer, FFmpeg's native
   * libraries, and Beam's serialization of the runner's options (JSON through Jackson, which the
   * runner does for every step it translates). Returns the warm-up thread.
   */
  static Thread startCommon(Supplier<? extends PipelineOptions> options) {
    return start("process-warm-up", () -> {
      AudioDecoder.loadNativeLibraries();
      PipelineOptionsTranslation.toProto(options.get());
    });
  }

  /** Starts warming up for {@code p} (about to run): the invokers of its DoFns. Returns the warm-up thread. */
  static Thread start(Pipeline p) {
    List<DoFn<?, ?>> fns = doFns(p);
    return start("pipeline-warm-up", () -> {
      for (DoFn<?, ?> fn : fns) {
        DoFnInvokers.invokerFor(fn);
      }
    });
  }

  /** What a warm-up does, in a daemon thread, after the Parquet writer's first write (once per JVM). */
  private interface Steps {
    void run() throws Exception;
  }

  private static Thread start(String name, Steps steps) {
    Thread t = new Thread(() -> {
      try {
        if (PARQUET_WRITER.compareAndSet(false, true)) {
          EmbeddingParquet.warmUpWriter();
        }
        steps.run();
      } catch (Exception | LinkageError e) {
        LOG.debug("Warm-up stopped early (the runner does this work itself): {}", e.toString());
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Every DoFn the pipeline applies, in graph order. */
  static List<DoFn<?, ?>> doFns(Pipeline p) {
    List<DoFn<?, ?>> fns = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        if (node.getTransform() instanceof ParDo.MultiOutput<?, ?> pardo) {
          fns.add(pardo.getFn());
        }
      }
    });
    return fns;
  }
}
