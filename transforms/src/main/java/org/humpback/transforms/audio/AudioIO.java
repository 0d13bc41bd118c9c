package org.humpback.transforms.audio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam transforms that turn audio files into {@link AudioWindow}s: decode (FFmpeg), downmix to mono,
 * resample to the front end's rate and cut windows.
 *
 * <pre>{@code
 * PCollectionTuple r = files                       // KV<sourceId, path>
 *     .apply(AudioIO.readWindows(cfg).withMaxShardSeconds(600));
 * PCollection<AudioWindow> windows = r.get(AudioIO.WINDOWS);
 * PCollection<AudioFailure> failed = r.get(AudioIO.FAILURES);   // dead letters, one per bad file/shard
 * }</pre>
 *
 * <p>{@link #readWindows} = {@link #planShards} (probe each file's header, split it into time shards
 * of at most {@code maxShardSeconds}) → {@link Reshuffle} (so the shards of one long file spread over
 * workers) → {@link #decodeShards} (decode each shard from its own start, with pre-roll, so the
 * windows equal a whole-file decode). Bad files never fail the job: they go to {@link #FAILURES} and
 * are counted per reason ({@code files_failed_<REASON>}, {@code shards_failed_<REASON>}); other
 * counters are {@code files_ok}, {@code shards}, {@code windows} and {@code files_with_warnings}.
 *
 * <p>If a shard in the middle of a file fails, the other shards' windows are still emitted; the
 * failure record names the window range that is missing.
 */
public final class AudioIO {

  /** Main output of {@link #readWindows} and {@link #decodeShards}. */
  public static final TupleTag<AudioWindow> WINDOWS = new TupleTag<>("windows") {};
  /** Dead-letter output of all three transforms. */
  public static final TupleTag<AudioFailure> FAILURES = new TupleTag<>("failures") {};
  /** Main output of {@link #planShards}. */
  public static final TupleTag<AudioShard> SHARDS = new TupleTag<>("shards") {};

  /** Default shard length: 10 minutes of audio, a few seconds of work per shard. */
  public static final double DEFAULT_MAX_SHARD_SECONDS = 600;

  private static final String NAMESPACE = AudioIO.class.getName();
  private static final Logger LOG = LoggerFactory.getLogger(AudioIO.class);

  private AudioIO() {}

  /** Files ({@code KV<sourceId, path>}) to windows, with a dead-letter output. */
  public static ReadWindows readWindows(FrontEndConfig cfg) {
    return new ReadWindows(requireConfig(cfg), DEFAULT_MAX_SHARD_SECONDS);
  }

  /** Files ({@code KV<sourceId, path>}) to time shards of at most {@code maxShardSeconds}. */
  public static PlanShards planShards(FrontEndConfig cfg, double maxShardSeconds) {
    return new PlanShards(requireConfig(cfg), requireShardSeconds(maxShardSeconds));
  }

  /**
   * The shards of one file, planned where this is called (the launcher) rather than in the pipeline:
   * {@link #readShards} then hands them to workers one at a time as workers free up.
   *
   * @throws AudioDecodeException when the file's header cannot be read
   */
  public static List<AudioShard> plan(String sourceId, String path, FrontEndConfig cfg, double maxShardSeconds)
      throws AudioDecodeException {
    requireConfig(cfg);
    requireShardSeconds(maxShardSeconds);
    if (path == null || path.isBlank()) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, sourceId, "no path given", null);
    }
    AudioDecoder.loadNativeLibraries();
    AudioInfo info = AudioDecoder.probe(Path.of(path));
    long estimatedAtTarget = info.durationSeconds() < 0 ? -1 : Math.round(info.durationSeconds() * cfg.sampleRate());
    long perShard = windowsPerShard(cfg, maxShardSeconds);
    long windows = estimatedAtTarget <= 0 ? 1 : WindowPlan.of(estimatedAtTarget, cfg).count();
    long n = (windows + perShard - 1) / perShard;
    // MP3 (and other formats not seeked by timestamp) would be demuxed from the start by every shard;
    // one pass here gives each shard but the last (see SeekHint) a packet to jump to instead.
    List<AudioDecoder.SeekHint> hints = n > 1 && !AudioDecoder.seeksByTimestamp(info)
        ? AudioDecoder.seekHints(Path.of(path), SEEK_HINT_SECONDS) : List.of();
    List<AudioShard> shards = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      long last = i == n - 1 ? AudioShard.OPEN_ENDED : (i + 1) * perShard;
      AudioShard shard = new AudioShard(sourceId, path, i * perShard, last);
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
   * Planned shards ({@link #plan}) as a bounded read that splits into one shard per split. Runners
   * hand splits to workers on demand (Flink's input-split assigner, the direct runner's executor),
   * so a worker that finishes early takes the next shard: with a handful of long shards, a random
   * shuffle (Reshuffle) can leave one of two workers with a third more shards than the other.
   */
  public static Read.Bounded<AudioShard> readShards(List<AudioShard> shards) {
    return Read.from(new AudioShardSource(shards));
  }

  /** Shards to windows, with a dead-letter output. */
  public static DecodeShards decodeShards(FrontEndConfig cfg) {
    return new DecodeShards(requireConfig(cfg));
  }

  private static FrontEndConfig requireConfig(FrontEndConfig cfg) {
    return Objects.requireNonNull(cfg, "Invalid frontEndConfig: null");
  }

  private static double requireShardSeconds(double s) {
    if (!(s > 0) || !Double.isFinite(s)) {
      throw new IllegalArgumentException("Invalid maxShardSeconds: " + s + " (expected a finite value > 0)");
    }
    return s;
  }

  /** Spacing of the seek hints {@link #plan} collects. */
  static final double SEEK_HINT_SECONDS = 30;

  /** How far before a shard's start its hint must be: more than the decoder's pre-roll (about 1 s). */
  static final double SEEK_HINT_MARGIN_SECONDS = 5;

  /** Windows per shard for a shard length: at least one. */
  static long windowsPerShard(FrontEndConfig cfg, double maxShardSeconds) {
    return Math.max(1, (long) Math.floor(maxShardSeconds * cfg.sampleRate() / cfg.hopSamples()));
  }

  // ------------------------------------------------------------------ transforms

  /** See {@link #readWindows}. Immutable; each {@code withX} returns a changed copy. */
  public static final class ReadWindows extends PTransform<PCollection<KV<String, String>>, PCollectionTuple> {
    private final FrontEndConfig cfg;
    private final double maxShardSeconds;

    private ReadWindows(FrontEndConfig cfg, double maxShardSeconds) {
      this.cfg = cfg;
      this.maxShardSeconds = maxShardSeconds;
    }

    public ReadWindows withMaxShardSeconds(double seconds) {
      return new ReadWindows(cfg, requireShardSeconds(seconds));
    }

    public ReadWindows withFrontEndConfig(FrontEndConfig c) {
      return new ReadWindows(requireConfig(c), maxShardSeconds);
    }

    public FrontEndConfig frontEndConfig() {
      return cfg;
    }

    public double maxShardSeconds() {
      return maxShardSeconds;
    }

    @Override
    public PCollectionTuple expand(PCollection<KV<String, String>> files) {
      PCollectionTuple planned = files.apply("PlanShards", planShards(cfg, maxShardSeconds));
      PCollectionTuple decoded = planned.get(SHARDS)
          .apply("SpreadShards", Reshuffle.viaRandomKey())
          .apply("DecodeShards", decodeShards(cfg));
      PCollection<AudioFailure> failures = PCollectionList.of(planned.get(FAILURES)).and(decoded.get(FAILURES))
          .apply("AllFailures", Flatten.pCollections());
      return PCollectionTuple.of(WINDOWS, decoded.get(WINDOWS)).and(FAILURES, failures);
    }
  }

  /** See {@link #planShards}. */
  public static final class PlanShards extends PTransform<PCollection<KV<String, String>>, PCollectionTuple> {
    private final FrontEndConfig cfg;
    private final double maxShardSeconds;

    private PlanShards(FrontEndConfig cfg, double maxShardSeconds) {
      this.cfg = cfg;
      this.maxShardSeconds = maxShardSeconds;
    }

    @Override
    public PCollectionTuple expand(PCollection<KV<String, String>> files) {
      PCollectionTuple out = files.apply("Probe",
          ParDo.of(new PlanShardsFn(cfg, maxShardSeconds)).withOutputTags(SHARDS, TupleTagList.of(FAILURES)));
      out.get(SHARDS).setCoder(AudioShard.ShardCoder.of());
      out.get(FAILURES).setCoder(AudioFailure.FailureCoder.of());
      return out;
    }
  }

  /** See {@link #decodeShards}. */
  public static final class DecodeShards extends PTransform<PCollection<AudioShard>, PCollectionTuple> {
    private final FrontEndConfig cfg;

    private DecodeShards(FrontEndConfig cfg) {
      this.cfg = cfg;
    }

    @Override
    public PCollectionTuple expand(PCollection<AudioShard> shards) {
      PCollectionTuple out = shards.apply("DecodeAndWindow",
          ParDo.of(new DecodeShardFn(cfg)).withOutputTags(WINDOWS, TupleTagList.of(FAILURES)));
      out.get(WINDOWS).setCoder(WindowCoders.AudioWindowCoder.of());
      out.get(FAILURES).setCoder(AudioFailure.FailureCoder.of());
      return out;
    }
  }

  // ------------------------------------------------------------------ DoFns

  /** Probes each file's header and splits it into shards by its estimated length. */
  static final class PlanShardsFn extends DoFn<KV<String, String>, AudioShard> {
    private final FrontEndConfig cfg;
    private final double maxShardSeconds;
    private final Counter filesPlanned = Metrics.counter(NAMESPACE, "files_planned");
    private final Counter shards = Metrics.counter(NAMESPACE, "shards");

    PlanShardsFn(FrontEndConfig cfg, double maxShardSeconds) {
      this.cfg = cfg;
      this.maxShardSeconds = maxShardSeconds;
    }

    @Setup
    public void setup() {
      AudioDecoder.loadNativeLibraries();
    }

    @ProcessElement
    public void process(@Element KV<String, String> file, MultiOutputReceiver out) {
      String id = file.getKey() == null ? String.valueOf(file.getValue()) : file.getKey();
      String path = file.getValue();
      if (path == null || path.isBlank()) {
        fail(out, new AudioFailure(id, "", AudioDecodeException.Reason.IO.name(), "No path given for source " + id));
        return;
      }
      try {
        List<AudioShard> planned = plan(id, path, cfg, maxShardSeconds);
        planned.forEach(out.get(SHARDS)::output);
        filesPlanned.inc();
        shards.inc(planned.size());
      } catch (AudioDecodeException e) {
        fail(out, AudioFailure.of(id, path, e));
      } catch (RuntimeException e) {
        LOG.error("Unexpected error probing {} ({})", id, path, e);
        fail(out, AudioFailure.of(id, path, e));
      }
    }

    private static void fail(MultiOutputReceiver out, AudioFailure f) {
      Metrics.counter(NAMESPACE, "files_failed_" + f.reason()).inc();
      out.get(FAILURES).output(f);
    }
  }

  /** Decodes one shard from its start (with pre-roll) and cuts its windows. */
  static final class DecodeShardFn extends DoFn<AudioShard, AudioWindow> {
    private final FrontEndConfig cfg;
    private final Counter windows = Metrics.counter(NAMESPACE, "windows");
    private final Counter filesOk = Metrics.counter(NAMESPACE, "files_ok");
    private final Counter shardsOk = Metrics.counter(NAMESPACE, "shards_ok");
    private final Counter withWarnings = Metrics.counter(NAMESPACE, "files_with_warnings");

    DecodeShardFn(FrontEndConfig cfg) {
      this.cfg = cfg;
    }

    @Setup
    public void setup() {
      AudioDecoder.loadNativeLibraries();
    }

    @ProcessElement
    public void process(@Element AudioShard shard, MultiOutputReceiver out) {
      double start = Windower.shardStartSeconds(cfg, shard.firstWindow());
      try (AudioDecoder decoder = AudioDecoder.open(Path.of(shard.path()), cfg.sampleRate(), start, shard.seekHint())) {
        Windower w = Windower.overShard(shard.sourceId(), decoder, cfg, shard.firstWindow(), shard.lastWindowExclusive());
        OutputReceiver<AudioWindow> main = out.get(WINDOWS);
        for (AudioWindow win = w.next(); win != null; win = w.next()) {
          main.output(win);
          windows.inc();
        }
        shardsOk.inc();
        if (shard.isLast()) {
          filesOk.inc();
        }
        DecodeStats stats = decoder.stats();
        if (!stats.warnings().isEmpty() || !w.warnings().isEmpty()) {
          withWarnings.inc();
          LOG.warn("{} ({}), windows from {}: {} {}", shard.sourceId(), shard.path(), shard.firstWindow(),
              stats.warnings(), w.warnings());
        }
      } catch (AudioDecodeException | RuntimeException e) {
        if (e instanceof RuntimeException) {
          LOG.error("Unexpected error decoding {}", shard, e);
        }
        AudioFailure f = AudioFailure.of(shard.sourceId(), shard.path(), e);
        String range = shard.isLast() ? "from window " + shard.firstWindow() + " to the end"
            : "windows " + shard.firstWindow() + " to " + (shard.lastWindowExclusive() - 1);
        f = new AudioFailure(f.sourceId(), f.path(), f.reason(), f.message() + " [" + range + " missing]");
        Metrics.counter(NAMESPACE, "shards_failed_" + f.reason()).inc();
        out.get(FAILURES).output(f);
      }
    }
  }
}
