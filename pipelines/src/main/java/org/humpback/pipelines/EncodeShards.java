package org.humpback.pipelines;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LogMelSpectrogram;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.ModelCache;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decode + window + features + batched inference of one time shard in one DoFn, whose vectors go
 * straight into the shard's {@link EmbeddingPart} files: {@code PCollection<AudioShard>} →
 * {@link #PARTS} and {@link #FAILURES}.
 *
 * <p><b>Why fused.</b> The direct runner neither fuses steps nor applies backpressure: it runs
 * queued bundles first come, first served, so the decode step (tens of times faster than the
 * model) turns every shard of a file into windows before inference has taken many, and a 6-h file
 * sat in memory as 1.4 GB of float windows. Here the shard's windows are pulled from the decoder
 * one batch at a time, so memory per worker is one batch of audio whatever the file length, on
 * every runner. Flink would chain the separate steps, but still copies each 62-kB window between
 * chained operators through its coder; fused, it does not. The vectors themselves are written to the
 * shard's part as each batch comes out of the model, so no runner ever holds a file's vectors: what
 * leaves this step is one small {@link EmbeddingPart} per shard.
 *
 * <p>The numbers are those of the separate transforms: the same {@link Windower#overShard} decode,
 * {@link LogMelSpectrogram#computeFlat} or the waveform itself as in {@code Features.of}, and the
 * same model. Failures: a shard that cannot be decoded → reason {@code decode} (as
 * {@code AudioIO.decodeShards}, naming the missing window range); a window the model rejects or
 * fails on → {@code inference} (as {@code Inference.embed}); a window the front end rejects is
 * dropped with a warning (as {@code Features}), which {@link WriteEmbeddings} reports as
 * {@code incomplete}; a part that cannot be written → {@code write}.
 *
 * <p><b>Model per worker thread.</b> Each DoFn instance (one per runner thread) loads its own
 * runtime ({@link ModelCache#acquireExclusive}) so several threads embed at once instead of
 * queueing on one shared, synchronized interpreter.
 */
final class EncodeShards extends PTransform<PCollection<AudioShard>, PCollectionTuple> {

  static final TupleTag<EmbeddingPart> PARTS = new TupleTag<>("parts") {};
  static final TupleTag<FileFailure> FAILURES = new TupleTag<>("failures") {};

  private final EncodingSpec spec;
  private final ModelConfig model;
  private final String cancelMarker;

  /**
   * @param cancelMarker a file whose appearance stops the run at the next batch; it also keys the
   *     run's {@link LiveProgress}, to which every batch is added (see
   *     {@link EncodingPipeline#CANCEL_MARKER}); null = never
   */
  EncodeShards(EncodingSpec spec, ModelConfig model, String cancelMarker) {
    if (spec == null || model == null) {
      throw new IllegalArgumentException("Invalid EncodeShards: spec=" + spec + ", model=" + model);
    }
    this.spec = spec;
    this.model = model;
    this.cancelMarker = cancelMarker;
  }

  @Override
  public PCollectionTuple expand(PCollection<AudioShard> shards) {
    PCollectionTuple out = shards.apply("DecodeFeaturesInfer",
        ParDo.of(new EncodeShardFn(spec, model, cancelMarker)).withOutputTags(PARTS, TupleTagList.of(FAILURES)));
    out.get(PARTS).setCoder(EmbeddingPart.Coder.of());
    out.get(FAILURES).setCoder(SerializableCoder.of(FileFailure.class));
    return out;
  }

  /** A shard's vectors could not be written to its part (disk full, permissions, a wrong vector length). */
  static final class PartWriteException extends RuntimeException {
    PartWriteException(RuntimeException cause) {
      super(cause.getMessage(), cause);
    }
  }

  static final class EncodeShardFn extends DoFn<AudioShard, EmbeddingPart> {
    private static final Logger LOG = LoggerFactory.getLogger(EncodeShardFn.class);
    private final EncodingSpec spec;
    private final FrontEndConfig cfg;
    private final ModelConfig config;
    private final String cancelMarker;
    private final Counter shardsOk = Metrics.counter(EncodeShards.class, "shards_ok");
    private final Counter shardsFailed = Metrics.counter(EncodeShards.class, "shards_failed");
    private final Counter rejected = Metrics.counter(EncodeShards.class, "windows_rejected");
    private final Counter failedWindows = Metrics.counter(EncodeShards.class, "windows_failed");
    private final Counter modelCalls = Metrics.counter(EncodeShards.class, "model_calls");
    private final Counter embedded = Metrics.counter(EncodingPipeline.class, "windows_embedded");

    private transient ModelCache.Handle model;
    private transient LogMelSpectrogram logMel;
    private transient long nextCancelCheckNanos;
    private transient ShardProgress.Writer progress;

    EncodeShardFn(EncodingSpec spec, ModelConfig config, String cancelMarker) {
      this.spec = spec;
      this.cfg = spec.frontEnd();
      this.config = config;
      this.cancelMarker = cancelMarker;
    }

    @Setup
    public void setup() {
      AudioDecoder.loadNativeLibraries();
      if (cfg.features() == FeatureType.LOG_MEL) {
        logMel = LogMelSpectrogram.of(cfg);
      }
      model = ModelCache.acquireExclusive(config);
    }

    @ProcessElement
    public void process(@Element AudioShard shard, MultiOutputReceiver out) {
      LiveProgress.shardActive(cancelMarker, true);
      try {
        encode(shard, out);
      } finally {
        LiveProgress.shardActive(cancelMarker, false);
      }
    }

    private void encode(AudioShard shard, MultiOutputReceiver out) {
      if (model == null) {
        // A cancelled direct runner tears steps down while queued shards are still handed out.
        throw new CancellationException("Encoding run cancelled: step torn down");
      }
      List<float[]> items = new ArrayList<>(config.batchSize());
      List<AudioWindow> windows = new ArrayList<>(config.batchSize());
      progress = new ShardProgress.Writer(cancelMarker, shard.sourceId(), shard.firstWindow());
      double start = Windower.shardStartSeconds(cfg, shard.firstWindow());
      try (AudioDecoder decoder = AudioDecoder.open(Path.of(shard.path()), cfg.sampleRate(), start, shard.seekHint());
          EmbeddingPart.Writer parts = new EmbeddingPart.Writer(shard.sourceId(), spec.parquetPath(shard.sourceId()))) {
        Windower w = Windower.overShard(shard.sourceId(), decoder, cfg, shard.firstWindow(), shard.lastWindowExclusive());
        for (AudioWindow win = w.next(); win != null; win = w.next()) {
          float[] values = features(win);
          if (values == null) {
            continue;
          }
          long want = model.itemLength();
          if (want > 0 && values.length != want) {
            failWindow(out, win, config.path() + ": window has " + values.length + " values, model input '"
                + model.selectedInput().name() + "' takes " + want);
            continue;
          }
          items.add(values);
          windows.add(win);
          if (items.size() >= config.batchSize()) {
            flush(items, windows, parts, out);
          }
        }
        flush(items, windows, parts, out);
        progress.flush();
        nextCancelCheckNanos = 0; // a cancelled run must not publish another part
        checkCancelled();
        for (EmbeddingPart part : commit(parts)) {
          out.get(PARTS).output(part);
        }
        shardsOk.inc();
        if (!decoder.stats().warnings().isEmpty() || !w.warnings().isEmpty()) {
          LOG.warn("{} ({}), windows from {}: {} {}", shard.sourceId(), shard.path(), shard.firstWindow(),
              decoder.stats().warnings(), w.warnings());
        }
      } catch (CancellationException e) {
        throw e;
      } catch (AudioDecodeException | RuntimeException e) {
        if (e instanceof RuntimeException && !(e instanceof ModelException) && !(e instanceof PartWriteException)) {
          LOG.error("Unexpected error encoding {}", shard, e);
        }
        shardsFailed.inc();
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        String range = shard.isLast() ? "from window " + shard.firstWindow() + " to the end"
            : "windows " + shard.firstWindow() + " to " + (shard.lastWindowExclusive() - 1);
        String reason = e instanceof ModelException ? "inference" : e instanceof PartWriteException ? "write" : "decode";
        out.get(FAILURES).output(new FileFailure(shard.sourceId(), reason, message + " [" + range + " missing]"));
      }
    }

    /** The model input of one window, or null when the front end rejects it (dropped, as Features does). */
    private float[] features(AudioWindow w) {
      if (logMel == null) {
        if (w.samples().length != cfg.windowSamples()) {
          rejected.inc();
          LOG.warn("Dropping window {} #{}: {} samples, expected {}", w.sourceId(), w.index(), w.samples().length,
              cfg.windowSamples());
          return null;
        }
        return w.samples(); // never mutated, so the model input may share it
      }
      try {
        return logMel.computeFlat(w.samples());
      } catch (IllegalArgumentException e) {
        rejected.inc();
        LOG.warn("Dropping window {} #{} ({}-{} s): {}", w.sourceId(), w.index(), w.startS(), w.endS(), e.getMessage());
        return null;
      }
    }

    private void flush(List<float[]> items, List<AudioWindow> windows, EmbeddingPart.Writer parts,
        MultiOutputReceiver out) {
      if (items.isEmpty()) {
        return;
      }
      checkCancelled();
      float[][] batch = items.toArray(new float[0][]);
      float[][] vectors;
      try {
        vectors = model.embed(batch);
        modelCalls.inc();
      } catch (ModelException batchError) {
        // Find the culprit(s) item by item; the good ones still get through.
        vectors = new float[batch.length][];
        for (int i = 0; i < batch.length; i++) {
          try {
            vectors[i] = model.embed(new float[][] {batch[i]})[0];
          } catch (ModelException itemError) {
            failWindow(out, windows.get(i), itemError.getMessage());
          }
        }
      }
      long n = 0;
      for (int i = 0; i < batch.length; i++) {
        if (vectors[i] != null) {
          AudioWindow w = windows.get(i);
          try {
            parts.write(w.index(), w.startS(), w.endS(), vectors[i]);
          } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new PartWriteException(e);
          }
          n++;
        }
      }
      LiveProgress.add(cancelMarker, n);
      progress.add(n);
      embedded.inc(n);
      items.clear();
      windows.clear();
    }

    private static List<EmbeddingPart> commit(EmbeddingPart.Writer parts) {
      try {
        return parts.commit();
      } catch (UncheckedIOException e) {
        throw new PartWriteException(e);
      }
    }

    /**
     * A shard's output reaches the rest of the pipeline (and the progress counter) only when the
     * shard is done, so a cancel is also checked here, between batches, at most every 100 ms.
     */
    private void checkCancelled() {
      if (cancelMarker == null) {
        return;
      }
      long now = System.nanoTime();
      if (now >= nextCancelCheckNanos) {
        nextCancelCheckNanos = now + 100_000_000L;
        if (Files.exists(Path.of(cancelMarker))) {
          throw new CancellationException("Encoding run cancelled");
        }
      }
    }

    private void failWindow(MultiOutputReceiver out, AudioWindow w, String error) {
      failedWindows.inc();
      out.get(FAILURES).output(new FileFailure(w.sourceId(), "inference",
          "Inference failed on window " + w.index() + " (" + w.startS() + " s): " + error));
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
