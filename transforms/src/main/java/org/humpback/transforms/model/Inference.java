package org.humpback.transforms.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.FeatureWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Beam transforms that run a model over feature windows.
 *
 * <pre>{@code
 * PCollection<EmbeddedWindow> vectors = features.apply(Inference.embed(config).withBatchSize(32));
 * PCollectionTuple all = features.apply(Inference.embed(config).withFailures());
 * all.get(Inference.EMBEDDED); all.get(Inference.FAILED);
 * }</pre>
 *
 * <p>Windows are batched inside the DoFn ({@link ModelConfig#batchSize()} per model call), per
 * Beam window, and the last partial batches are flushed in {@code @FinishBundle}, each result
 * keeping its input's timestamp and window. The model is loaded in {@code @Setup} through
 * {@link ModelCache}, so all DoFn instances of a JVM share one copy.
 *
 * <p>Windows whose feature length does not fit the model, or on which the model fails, are counted
 * ({@code humpback.inference/failed_windows}) and go to the {@link #FAILED} output; the rest go on.
 */
public final class Inference {

  /** Embedded windows. */
  public static final TupleTag<EmbeddedWindow> EMBEDDED = new TupleTag<>() {};
  /** Windows that could not be embedded, with the reason. */
  public static final TupleTag<FailedWindow> FAILED = new TupleTag<>() {};

  static final String METRICS = "humpback.inference";

  private Inference() {}

  /** Embeds every window with the model {@code config} describes. */
  public static Embed embed(ModelConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("Invalid model config: null");
    }
    return new Embed(config);
  }

  /** {@code PCollection<FeatureWindow>} → {@code PCollection<EmbeddedWindow>}; failed windows are counted and dropped. */
  public static final class Embed extends PTransform<PCollection<FeatureWindow>, PCollection<EmbeddedWindow>> {
    private final ModelConfig config;

    private Embed(ModelConfig config) {
      this.config = config;
    }

    public ModelConfig config() {
      return config;
    }

    /** Windows per model call. */
    public Embed withBatchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("Invalid batch_size: " + batchSize + " (expected >= 1)");
      }
      return new Embed(config.withBatchSize(batchSize));
    }

    /** Intra-op threads of the runtime (0 = its default). */
    public Embed withThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("Invalid threads: " + threads + " (expected >= 0)");
      }
      return new Embed(config.withThreads(threads));
    }

    /** The same transform, also returning the dead-letter output ({@link #EMBEDDED} and {@link #FAILED}). */
    public EmbedWithFailures withFailures() {
      return new EmbedWithFailures(config);
    }

    @Override
    public PCollection<EmbeddedWindow> expand(PCollection<FeatureWindow> input) {
      return input.apply("EmbedWithFailures", new EmbedWithFailures(config)).get(EMBEDDED);
    }
  }

  /** {@code PCollection<FeatureWindow>} → tuple of {@link #EMBEDDED} and {@link #FAILED}. */
  public static final class EmbedWithFailures extends PTransform<PCollection<FeatureWindow>, PCollectionTuple> {
    private final ModelConfig config;

    private EmbedWithFailures(ModelConfig config) {
      this.config = config;
    }

    @Override
    public PCollectionTuple expand(PCollection<FeatureWindow> input) {
      PCollectionTuple out = input.apply("EmbedBatches",
          ParDo.of(new EmbedFn(config)).withOutputTags(EMBEDDED, TupleTagList.of(FAILED)));
      out.get(FAILED).setCoder(SerializableCoder.of(FailedWindow.class));
      return out;
    }
  }

  /** Buffers windows per Beam window and runs the shared model on full batches. */
  static final class EmbedFn extends DoFn<FeatureWindow, EmbeddedWindow> {
    private final ModelConfig config;
    private final Counter embedded = Metrics.counter(METRICS, "embedded_windows");
    private final Counter failed = Metrics.counter(METRICS, "failed_windows");
    private final Counter batches = Metrics.counter(METRICS, "model_calls");
    private final Distribution batchMillis = Metrics.distribution(METRICS, "batch_millis");

    private transient ModelCache.Handle model;
    private transient Map<BoundedWindow, List<Pending>> buffers;

    private record Pending(FeatureWindow window, Instant timestamp) {}

    /** Where a flushed result goes: the element's own receiver, or the finish-bundle context. */
    private interface Emitter {
      void embedded(EmbeddedWindow w, Instant ts, BoundedWindow window);

      void failed(FailedWindow w, Instant ts, BoundedWindow window);
    }

    EmbedFn(ModelConfig config) {
      this.config = config;
    }

    @Setup
    public void setup() {
      model = ModelCache.acquire(config);
    }

    @StartBundle
    public void startBundle() {
      buffers = new LinkedHashMap<>();
    }

    @ProcessElement
    public void process(@Element FeatureWindow w, @Timestamp Instant ts, BoundedWindow window,
        MultiOutputReceiver out) {
      long want = model.itemLength();
      if (want > 0 && w.values().length != want) {
        failed.inc();
        out.get(FAILED).outputWithTimestamp(new FailedWindow(w.sourceId(), w.index(), w.startS(),
            config.path() + ": window has " + w.values().length + " values " + java.util.Arrays.toString(w.shape())
                + ", model input '" + model.selectedInput().name() + "' takes " + want), ts);
        return;
      }
      List<Pending> buffer = buffers.computeIfAbsent(window, k -> new ArrayList<>());
      buffer.add(new Pending(w, ts));
      if (buffer.size() >= config.batchSize()) {
        buffers.remove(window);
        // Results go to the current element's window (the same as the batch's) with their own timestamps.
        flush(buffer, window, new Emitter() {
          @Override
          public void embedded(EmbeddedWindow e, Instant t, BoundedWindow bw) {
            out.get(EMBEDDED).outputWithTimestamp(e, t);
          }

          @Override
          public void failed(FailedWindow f, Instant t, BoundedWindow bw) {
            out.get(FAILED).outputWithTimestamp(f, t);
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext ctx) {
      for (Map.Entry<BoundedWindow, List<Pending>> e : buffers.entrySet()) {
        flush(e.getValue(), e.getKey(), new Emitter() {
          @Override
          public void embedded(EmbeddedWindow w, Instant t, BoundedWindow bw) {
            ctx.output(EMBEDDED, w, t, bw);
          }

          @Override
          public void failed(FailedWindow f, Instant t, BoundedWindow bw) {
            ctx.output(FAILED, f, t, bw);
          }
        });
      }
      buffers.clear();
    }

    /**
     * Buffered elements of a batch carry earlier timestamps than the element that completes it;
     * they are still in this bundle, so the watermark cannot have passed them.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }

    private void flush(List<Pending> batch, BoundedWindow window, Emitter emit) {
      float[][] items = new float[batch.size()][];
      for (int i = 0; i < items.length; i++) {
        items[i] = batch.get(i).window().values();
      }
      long t0 = System.nanoTime();
      float[][] vectors;
      try {
        vectors = model.embed(items);
      } catch (ModelException batchError) {
        // Find the culprit(s): run the items one by one, the good ones still get through.
        vectors = new float[items.length][];
        for (int i = 0; i < items.length; i++) {
          try {
            vectors[i] = model.embed(new float[][] {items[i]})[0];
          } catch (ModelException itemError) {
            Pending p = batch.get(i);
            failed.inc();
            emit.failed(new FailedWindow(p.window().sourceId(), p.window().index(), p.window().startS(),
                itemError.getMessage()), p.timestamp(), window);
          }
        }
      }
      batches.inc();
      batchMillis.update((System.nanoTime() - t0) / 1_000_000);
      for (int i = 0; i < items.length; i++) {
        if (vectors[i] == null) {
          continue;
        }
        FeatureWindow w = batch.get(i).window();
        embedded.inc();
        emit.embedded(new EmbeddedWindow(w.sourceId(), w.index(), w.startS(), w.endS(), vectors[i]),
            batch.get(i).timestamp(), window);
      }
    }

    @Teardown
    public void teardown() {
      if (model != null) {
        model.close();
        model = null;
      }
    }
  }
}
