package org.humpback.transforms.beam;

import java.util.ArrayList;
import java.util.List;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioSource;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LogMelSpectrogram;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.ModelCache;
import org.humpback.transforms.model.ModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that turns a time shard of a recording into vectors: decode + resample + window
 * ({@link Windower#overShard}), features ({@link LogMelSpectrogram#computeFlat} or the waveform
 * itself) and batched inference, pulled one batch at a time, so memory is one batch of audio
 * whatever the file length. Plain Java; {@link HumpbackIO#encode} runs it in a DoFn, one instance
 * (and one model runtime) per worker thread, so threads embed at once instead of queueing on one
 * synchronized interpreter.
 *
 * <p>Failures never throw: a shard that cannot be decoded gives one {@link EncodingFailure.Reason#DECODE}
 * naming the missing window range and no embeddings; a window the front end rejects gives
 * {@code FEATURES}; a window the model rejects or fails on gives {@code INFERENCE} (a failed batch is
 * retried window by window, so the good ones still get through).
 *
 * <p>Not thread-safe: one per thread.
 */
public final class ShardEncoder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardEncoder.class);

  /** Spacing of the seek hints {@link #plan} collects. */
  static final double SEEK_HINT_SECONDS = 30;

  /** How far before a shard's start its hint must be: more than the decoder's pre-roll (about 1 s). */
  static final double SEEK_HINT_MARGIN_SECONDS = 5;

  /** What an encoder reports besides the vectors. */
  public interface Listener {
    /** {@code n} more windows went through the model. */
    void embedded(long n);

    /** A window, or the rest of the shard, failed. */
    void failed(EncodingFailure f);

    /** The model was called once. */
    default void modelCall() {}
  }

  private final EncoderSpec spec;
  private final FrontEndConfig cfg;
  private final int batchSize;
  private final LogMelSpectrogram logMel;
  private volatile ModelCache.Handle model;

  private ShardEncoder(EncoderSpec spec, ModelCache.Handle model) {
    this.spec = spec;
    this.cfg = spec.frontEnd();
    this.batchSize = spec.model().batchSize();
    this.logMel = cfg.features() == FeatureType.LOG_MEL ? LogMelSpectrogram.of(cfg) : null;
    this.model = model;
  }

  /**
   * Loads a model instance of its own for {@code spec} (see {@link ModelCache#acquireExclusive}).
   *
   * @throws ModelException when the model cannot be loaded
   */
  public static ShardEncoder open(EncoderSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("Invalid encoder spec: null");
    }
    AudioDecoder.loadNativeLibraries();
    return new ShardEncoder(spec, ModelCache.acquireExclusive(spec.model()));
  }

  /**
   * The shards of one file: its header is probed, its window count estimated and cut into shards
   * of {@link #shardSeconds} (a sixteenth of the file, between 30 s and {@code maxShardSeconds}); formats not seeked by timestamp (MP3) get a seek hint per
   * shard but the last, from one pass over the packets without decoding.
   *
   * @param path the file as {@code source} names it, kept in each shard
   * @throws AudioDecodeException when the header cannot be read
   */
  public static List<AudioShard> plan(String sourceId, AudioSource source, FrontEndConfig cfg, double maxShardSeconds)
      throws AudioDecodeException {
    if (cfg == null) {
      throw new IllegalArgumentException("Invalid front end: null");
    }
    requireShardSeconds(maxShardSeconds);
    AudioDecoder.loadNativeLibraries();
    org.humpback.transforms.audio.AudioInfo info = AudioDecoder.probe(source);
    long estimatedAtTarget = info.durationSeconds() < 0 ? -1 : Math.round(info.durationSeconds() * cfg.sampleRate());
    long perShard = windowsPerShard(cfg, shardSeconds(info.durationSeconds(), maxShardSeconds));
    long windows = estimatedAtTarget <= 0 ? 1 : org.humpback.transforms.audio.WindowPlan.of(estimatedAtTarget, cfg).count();
    long n = (windows + perShard - 1) / perShard;
    List<AudioDecoder.SeekHint> hints = n > 1 && !AudioDecoder.seeksByTimestamp(info)
        ? AudioDecoder.seekHints(source, SEEK_HINT_SECONDS) : List.of();
    List<AudioShard> shards = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      long last = i == n - 1 ? AudioShard.OPEN_ENDED : (i + 1) * perShard;
      AudioShard shard = new AudioShard(sourceId, source.name(), i * perShard, last);
      double start = Windower.shardStartSeconds(cfg, i * perShard);
      AudioDecoder.SeekHint hint = null;
      for (AudioDecoder.SeekHint h : hints) {
        if (h.seconds() <= start - SEEK_HINT_MARGIN_SECONDS) {
          hint = h;
        }
      }
      shards.add(i == n - 1 || hint == null ? shard : shard.withSeekHint(hint));
    }
    return shards;
  }

  /**
   * Shard length for a file of {@code durationSeconds}: a sixteenth of the file, between 30 s and
   * {@code maxShardSeconds}. Short files still spread over several workers and progress moves in
   * small steps, while long files keep long shards (each shard re-opens the decoder). It depends on
   * the file only, not on the machine, so a file is always cut the same way.
   */
  public static double shardSeconds(double durationSeconds, double maxShardSeconds) {
    requireShardSeconds(maxShardSeconds);
    if (!(durationSeconds > 0) || !Double.isFinite(durationSeconds)) {
      return maxShardSeconds;
    }
    return Math.min(maxShardSeconds, Math.max(30.0, Math.ceil(durationSeconds / 16)));
  }

  static double requireShardSeconds(double s) {
    if (!(s > 0) || !Double.isFinite(s)) {
      throw new IllegalArgumentException("Invalid maxShardSeconds: " + s + " (expected a finite value > 0)");
    }
    return s;
  }

  /** Windows per shard for a shard length: at least one. */
  static long windowsPerShard(FrontEndConfig cfg, double maxShardSeconds) {
    return Math.max(1, (long) Math.floor(maxShardSeconds * cfg.sampleRate() / cfg.hopSamples()));
  }

  /**
   * Encodes one shard read from {@code source}.
   *
   * @return the shard's vectors (a window that failed is missing and reported), or null when the shard
   *     could not be decoded (reported as one {@code DECODE} failure)
   */
  public ShardEmbeddings encode(AudioShard shard, AudioSource source, Listener listener) {
    if (model == null) {
      throw new IllegalStateException("ShardEncoder is closed");
    }
    List<float[]> items = new ArrayList<>(batchSize);
    List<AudioWindow> windows = new ArrayList<>(batchSize);
    List<EmbeddedWindow> rows = new ArrayList<>();
    double start = Windower.shardStartSeconds(cfg, shard.firstWindow());
    try (AudioDecoder decoder = AudioDecoder.open(source, cfg.sampleRate(), start, shard.seekHint())) {
      Windower w = Windower.overShard(shard.sourceId(), decoder, cfg, shard.firstWindow(), shard.lastWindowExclusive());
      long want = model.itemLength();
      for (AudioWindow win = w.next(); win != null; win = w.next()) {
        float[] values = features(win, listener);
        if (values == null) {
          continue;
        }
        if (want > 0 && values.length != want) {
          failWindow(listener, win, EncodingFailure.Reason.INFERENCE, spec.model().path() + ": window has "
              + values.length + " values, model input '" + model.selectedInput().name() + "' takes " + want);
          continue;
        }
        items.add(values);
        windows.add(win);
        if (items.size() >= batchSize) {
          flush(items, windows, rows, listener);
        }
      }
      flush(items, windows, rows, listener);
      if (!decoder.stats().warnings().isEmpty() || !w.warnings().isEmpty()) {
        LOG.warn("{} ({}), windows from {}: {} {}", shard.sourceId(), shard.path(), shard.firstWindow(),
            decoder.stats().warnings(), w.warnings());
      }
      return new ShardEmbeddings(shard.sourceId(), shard.firstWindow(), shard.lastWindowExclusive(), rows);
    } catch (java.util.concurrent.CancellationException e) {
      throw e;
    } catch (AudioDecodeException | RuntimeException e) {
      if (e instanceof RuntimeException && !(e instanceof ModelException)) {
        LOG.error("Unexpected error encoding {}", shard, e);
      }
      String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      String range = shard.isLast() ? "from window " + shard.firstWindow() + " to the end"
          : "windows " + shard.firstWindow() + " to " + (shard.lastWindowExclusive() - 1);
      EncodingFailure.Reason reason = e instanceof ModelException ? EncodingFailure.Reason.INFERENCE
          : EncodingFailure.Reason.DECODE;
      listener.failed(new EncodingFailure(shard.sourceId(), reason, message + " [" + range + " missing]"));
      return null;
    }
  }

  /** The model input of one window, or null when the front end rejects it (reported). */
  private float[] features(AudioWindow w, Listener listener) {
    if (logMel == null) {
      if (w.samples().length != cfg.windowSamples()) {
        failWindow(listener, w, EncodingFailure.Reason.FEATURES,
            w.samples().length + " samples, the front end expects " + cfg.windowSamples());
        return null;
      }
      return w.samples(); // never mutated, so the model input may share it
    }
    try {
      return logMel.computeFlat(w.samples());
    } catch (IllegalArgumentException e) {
      failWindow(listener, w, EncodingFailure.Reason.FEATURES, e.getMessage());
      return null;
    }
  }

  private void flush(List<float[]> items, List<AudioWindow> windows, List<EmbeddedWindow> rows, Listener listener) {
    if (items.isEmpty()) {
      return;
    }
    float[][] batch = items.toArray(new float[0][]);
    ModelCache.Handle model = this.model;
    if (model == null) {
      // A cancelled runner tears its DoFns down while shards are still running.
      throw new java.util.concurrent.CancellationException("ShardEncoder closed: the run was cancelled");
    }
    float[][] vectors;
    try {
      vectors = model.embed(batch);
      listener.modelCall();
    } catch (ModelException batchError) {
      // Find the culprit(s) window by window; the good ones still get through.
      vectors = new float[batch.length][];
      for (int i = 0; i < batch.length; i++) {
        try {
          vectors[i] = model.embed(new float[][] {batch[i]})[0];
          listener.modelCall();
        } catch (ModelException itemError) {
          failWindow(listener, windows.get(i), EncodingFailure.Reason.INFERENCE, itemError.getMessage());
        }
      }
    }
    long n = 0;
    for (int i = 0; i < batch.length; i++) {
      if (vectors[i] != null) {
        AudioWindow w = windows.get(i);
        rows.add(new EmbeddedWindow(w.sourceId(), w.index(), w.startS(), w.endS(), vectors[i]));
        n++;
      }
    }
    listener.embedded(n);
    items.clear();
    windows.clear();
  }

  private static void failWindow(Listener listener, AudioWindow w, EncodingFailure.Reason reason, String error) {
    String what = reason == EncodingFailure.Reason.FEATURES ? "The front end rejected window " : "Inference failed on window ";
    listener.failed(new EncodingFailure(w.sourceId(), reason, what + w.index() + " (" + w.startS() + " s): " + error));
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
      model = null;
    }
  }
}
