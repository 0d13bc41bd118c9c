package org.humpback.transforms.beam;

import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioShard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam transforms that turn recordings into embedding vectors, on any Beam file system.
 *
 * <pre>{@code
 * EncoderSpec spec = EncoderSpec.of(ModelConfig.of("yamnet.tflite", ModelType.TFLITE), frontEnd);
 * PCollectionTuple encoded = p
 *     .apply(FileIO.match().filepattern("hdfs://recordings/*.wav"))
 *     .apply(FileIO.readMatches())
 *     .apply(HumpbackIO.encodeFiles(spec));                  // refuses a front end the model cannot take
 * encoded.get(HumpbackIO.EMBEDDINGS)                         // one ShardEmbeddings per time shard
 *     .apply(EmbeddingParquetIO.write("hdfs://embeddings/").withMetadata(footer));
 * encoded.get(HumpbackIO.FAILURES);                          // dead letters: EncodingFailure, always there
 * }</pre>
 *
 * <p>{@link #encode} = {@code PlanShards} (each file's header is probed and cut into time shards of a
 * sixteenth of the file, between 30 s and {@code maxShardSeconds}; a file whose header cannot be read
 * is a {@code DECODE} failure) → {@code SpreadShards} ({@link Reshuffle}, so the shards of one long
 * file spread over workers) → {@code EncodeShards} (a {@link ShardEncoder} per worker thread: decode,
 * features and batched inference of a shard). Nothing is dropped without an {@link EncodingFailure}.
 *
 * <p>Metrics, namespace {@value #METRICS_NAMESPACE}: {@code files_planned}, {@code shards_planned},
 * {@code shards_ok}, {@code shards_failed}, {@code windows_embedded} (progress while running),
 * {@code windows_failed}, {@code model_calls}, {@code failures_<reason>}.
 */
public final class HumpbackIO {

  /** The namespace of every humpback metric. */
  public static final String METRICS_NAMESPACE = "humpback";

  /** The vectors, one element per time shard. */
  public static final TupleTag<ShardEmbeddings> EMBEDDINGS = new TupleTag<>("embeddings") {};
  /** The dead letters. */
  public static final TupleTag<EncodingFailure> FAILURES = new TupleTag<>("failures") {};

  /** Longest shard by default: 5 minutes of audio, a few seconds of work. */
  public static final double DEFAULT_MAX_SHARD_SECONDS = 300;

  private static final TupleTag<AudioShard> SHARDS = new TupleTag<>("shards") {};
  private static final Logger LOG = LoggerFactory.getLogger(HumpbackIO.class);

  private HumpbackIO() {}

  /**
   * Files given as {@code KV<sourceId, file spec>} (any spec Beam's {@code FileSystems} resolves) to
   * vectors. The model is opened once here to check that {@code spec}'s front end fits it.
   *
   * @throws IllegalArgumentException when the front end does not fit the model (the message names both)
   */
  public static Encode encode(EncoderSpec spec) {
    return new Encode(checked(spec), DEFAULT_MAX_SHARD_SECONDS);
  }

  /** {@code FileIO.ReadableFile}s (after {@code FileIO.match()} and {@code readMatches()}); the id is the file's resource id. */
  public static EncodeFiles encodeFiles(EncoderSpec spec) {
    return new EncodeFiles(encode(spec));
  }

  /** File specs (local paths or URIs); each is its own id. */
  public static EncodeSpecs encodeSpecs(EncoderSpec spec) {
    return new EncodeSpecs(encode(spec));
  }

  private static EncoderSpec checked(EncoderSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("Invalid encoder spec: null");
    }
    spec.checkFits();
    return spec;
  }

  /** A counter in {@link #METRICS_NAMESPACE}. */
  static Counter counter(String name) {
    return Metrics.counter(METRICS_NAMESPACE, name);
  }

  /** See {@link #encode}. Immutable; each {@code withX} returns a changed copy. */
  public static final class Encode extends PTransform<PCollection<KV<String, String>>, PCollectionTuple> {
    private final EncoderSpec spec;
    private final double maxShardSeconds;

    private Encode(EncoderSpec spec, double maxShardSeconds) {
      this.spec = spec;
      this.maxShardSeconds = maxShardSeconds;
    }

    /** Longest time shard one worker decodes, in seconds. */
    public Encode withMaxShardSeconds(double seconds) {
      return new Encode(spec, ShardEncoder.requireShardSeconds(seconds));
    }

    public EncoderSpec spec() {
      return spec;
    }

    public double maxShardSeconds() {
      return maxShardSeconds;
    }

    @Override
    public PCollectionTuple expand(PCollection<KV<String, String>> files) {
      PCollectionTuple planned = files.apply("PlanShards",
          ParDo.of(new PlanFn(spec, maxShardSeconds)).withOutputTags(SHARDS, TupleTagList.of(FAILURES)));
      planned.get(SHARDS).setCoder(AudioShard.ShardCoder.of());
      planned.get(FAILURES).setCoder(EncodingFailure.Coder.of());
      PCollectionTuple encoded = planned.get(SHARDS)
          .apply("SpreadShards", Reshuffle.viaRandomKey())
          .apply("EncodeShards", ParDo.of(new EncodeShardFn(spec)).withOutputTags(EMBEDDINGS, TupleTagList.of(FAILURES)));
      encoded.get(EMBEDDINGS).setCoder(ShardEmbeddings.Coder.of());
      encoded.get(FAILURES).setCoder(EncodingFailure.Coder.of());
      PCollection<EncodingFailure> failures = PCollectionList.of(planned.get(FAILURES)).and(encoded.get(FAILURES))
          .apply("AllFailures", Flatten.pCollections());
      return PCollectionTuple.of(EMBEDDINGS, encoded.get(EMBEDDINGS)).and(FAILURES, failures);
    }
  }

  /** See {@link #encodeFiles}. */
  public static final class EncodeFiles extends PTransform<PCollection<FileIO.ReadableFile>, PCollectionTuple> {
    private final Encode encode;

    private EncodeFiles(Encode encode) {
      this.encode = encode;
    }

    public EncodeFiles withMaxShardSeconds(double seconds) {
      return new EncodeFiles(encode.withMaxShardSeconds(seconds));
    }

    @Override
    public PCollectionTuple expand(PCollection<FileIO.ReadableFile> files) {
      return files
          .apply("FileSpecs", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
              .via((FileIO.ReadableFile f) -> {
                String spec = f.getMetadata().resourceId().toString();
                return KV.of(spec, spec);
              }))
          .apply("Encode", encode);
    }
  }

  /** See {@link #encodeSpecs}. */
  public static final class EncodeSpecs extends PTransform<PCollection<String>, PCollectionTuple> {
    private final Encode encode;

    private EncodeSpecs(Encode encode) {
      this.encode = encode;
    }

    public EncodeSpecs withMaxShardSeconds(double seconds) {
      return new EncodeSpecs(encode.withMaxShardSeconds(seconds));
    }

    @Override
    public PCollectionTuple expand(PCollection<String> specs) {
      return specs
          .apply("FileSpecs", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
              .via((String s) -> KV.of(s, s)))
          .apply("Encode", encode);
    }
  }

  /** Probes each file's header and cuts it into time shards. */
  static final class PlanFn extends DoFn<KV<String, String>, AudioShard> {
    private final EncoderSpec spec;
    private final double maxShardSeconds;
    private final Counter filesPlanned = counter("files_planned");
    private final Counter shardsPlanned = counter("shards_planned");

    PlanFn(EncoderSpec spec, double maxShardSeconds) {
      this.spec = spec;
      this.maxShardSeconds = maxShardSeconds;
    }

    @ProcessElement
    public void process(@Element KV<String, String> file, MultiOutputReceiver out) {
      String id = file.getKey();
      String path = file.getValue();
      try {
        if (id == null || path == null || path.isBlank()) {
          throw new AudioDecodeException(AudioDecodeException.Reason.IO, String.valueOf(id), "no file given");
        }
        for (AudioShard s : ShardEncoder.plan(id, new BeamAudioSource(path), spec.frontEnd(), maxShardSeconds)) {
          out.get(SHARDS).output(s);
          shardsPlanned.inc();
        }
        filesPlanned.inc();
      } catch (AudioDecodeException | RuntimeException e) {
        if (!(e instanceof AudioDecodeException)) {
          LOG.error("Unexpected error probing {} ({})", id, path, e);
        }
        fail(out, new EncodingFailure(String.valueOf(id), EncodingFailure.Reason.DECODE,
            e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
      }
    }

    private static void fail(MultiOutputReceiver out, EncodingFailure f) {
      counter("failures_" + f.reason().wireName()).inc();
      out.get(FAILURES).output(f);
    }
  }

  /** Runs a {@link ShardEncoder} (loaded in {@code @Setup}, one per DoFn instance) over each shard. */
  static final class EncodeShardFn extends DoFn<AudioShard, ShardEmbeddings> {
    private final EncoderSpec spec;
    private final Counter shardsOk = counter("shards_ok");
    private final Counter shardsFailed = counter("shards_failed");
    private final Counter embedded = counter("windows_embedded");
    private final Counter windowsFailed = counter("windows_failed");
    private final Counter modelCalls = counter("model_calls");
    private transient ShardEncoder encoder;

    EncodeShardFn(EncoderSpec spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      encoder = ShardEncoder.open(spec);
    }

    @ProcessElement
    public void process(@Element AudioShard shard, MultiOutputReceiver out) {
      ShardEmbeddings e = encoder.encode(shard, new BeamAudioSource(shard.path()), new ShardEncoder.Listener() {
        @Override
        public void embedded(long n) {
          embedded.inc(n);
        }

        @Override
        public void failed(EncodingFailure f) {
          counter("failures_" + f.reason().wireName()).inc();
          if (f.reason() != EncodingFailure.Reason.DECODE) {
            windowsFailed.inc();
          }
          out.get(FAILURES).output(f);
        }

        @Override
        public void modelCall() {
          modelCalls.inc();
        }
      });
      if (e != null) {
        out.get(EMBEDDINGS).output(e);
        shardsOk.inc();
      } else {
        shardsFailed.inc();
      }
    }

    @Teardown
    public void teardown() {
      if (encoder != null) {
        encoder.close();
        encoder = null;
      }
    }
  }
}
