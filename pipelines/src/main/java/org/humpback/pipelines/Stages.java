package org.humpback.pipelines;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioFailure;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioIO;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.Features;
import org.humpback.transforms.audio.FeatureWindow;
import org.humpback.transforms.model.FailedWindow;
import org.humpback.transforms.model.Inference;
import org.humpback.transforms.model.ModelConfig;

/**
 * The encoding stages, composed only from the transforms module's building blocks:
 * {@link AudioIO#readWindows} (time shards of at most maxShardSeconds, decoded in parallel,
 * resampled, windowed) → {@link Features#of} → {@link Inference#embed} (batched). Every stage's dead letters become
 * {@link FileFailure}s for {@link WriteEmbeddings}.
 *
 * @param windows the embedded windows (separate stages), or null
 * @param parts the embedded windows already written as parts (fused stages), or null
 */
record Stages(PCollection<EmbeddedWindow> windows, PCollection<EmbeddingPart> parts,
    List<PCollection<FileFailure>> failures) {

  /** @param cancelMarker a file whose appearance stops the run (fused stages check it between batches); may be null */
  static Stages apply(PCollection<KV<String, String>> files, Map<String, String> paths, EncodingSpec spec,
      EncodingOptions options, String cancelMarker) {
    if (options.getFuseStages()) {
      return fused(files.getPipeline(), paths, spec, options, cancelMarker);
    }
    PCollectionTuple decoded = files.apply("DecodeAndWindow",
        AudioIO.readWindows(spec.frontEnd()).withMaxShardSeconds(options.getMaxShardSeconds()));
    PCollection<FileFailure> decodeFailed = decoded.get(AudioIO.FAILURES).apply("DecodeFailures",
        MapElements.into(TypeDescriptor.of(FileFailure.class))
            .via((AudioFailure f) -> new FileFailure(f.sourceId(), "decode", f.message())));
    PCollection<FeatureWindow> features = decoded.get(AudioIO.WINDOWS).apply("Features", Features.of(spec.frontEnd()));
    ModelConfig model = spec.model().withBatchSize(options.getBatchSize()).withThreads(options.getModelThreads());
    // Separate steps share one synchronized model per JVM (Inference's ModelCache.acquire).
    PCollectionTuple inferred = features.apply("Inference", Inference.embed(model).withFailures());
    PCollection<FileFailure> inferenceFailed = inferred.get(Inference.FAILED).apply("InferenceFailures",
        MapElements.into(TypeDescriptor.of(FileFailure.class)).via((FailedWindow f) -> new FileFailure(f.sourceId(),
            "inference", "Inference failed on window " + f.index() + " (" + f.startS() + " s): " + f.error())));
    return new Stages(inferred.get(Inference.EMBEDDED), null, List.of(decodeFailed, inferenceFailed));
  }

  /**
   * {@link AudioIO#plan} here, in the launcher (a file whose header cannot be read fails here) →
   * {@link AudioIO#readShards} (one split per shard, taken by workers as they free up) →
   * {@link EncodeShards} (decode, features and inference of a shard in one DoFn, a model per worker
   * thread, vectors written to the shard's part): memory per worker is one batch of audio, whatever
   * the file length.
   */
  static Stages fused(Pipeline p, Map<String, String> paths, EncodingSpec spec, EncodingOptions options,
      String cancelMarker) {
    List<AudioShard> shards = new ArrayList<>();
    List<FileFailure> planFailures = new ArrayList<>();
    for (Map.Entry<String, String> f : paths.entrySet()) {
      try {
        shards.addAll(AudioIO.plan(f.getKey(), f.getValue(), spec.frontEnd(), options.getMaxShardSeconds()));
      } catch (AudioDecodeException | RuntimeException e) {
        planFailures.add(new FileFailure(f.getKey(), "decode", AudioFailure.of(f.getKey(), f.getValue(), e).message()));
      }
    }
    PCollection<FileFailure> planFailed = p.apply("PlanFailures",
        Create.of(planFailures).withCoder(SerializableCoder.of(FileFailure.class)));
    ModelConfig model = spec.model().withBatchSize(options.getBatchSize()).withThreads(modelThreads(options));
    PCollectionTuple encoded = p
        .apply("Shards", AudioIO.readShards(shards))
        .apply("EncodeShards", new EncodeShards(spec, model, cancelMarker));
    return new Stages(null, encoded.get(EncodeShards.PARTS), List.of(planFailed, encoded.get(EncodeShards.FAILURES)));
  }

  /**
   * Intra-op threads per model instance: the option, or when it is 0 (auto) one thread, since each
   * runner thread already has its own instance and batch-level parallelism across instances scales
   * better than splitting one small model call over cores.
   */
  static int modelThreads(EncodingOptions options) {
    return options.getModelThreads() > 0 ? options.getModelThreads() : 1;
  }
}
