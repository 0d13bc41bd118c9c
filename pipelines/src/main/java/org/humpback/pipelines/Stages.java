package org.humpback.pipelines;

import java.util.List;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.humpback.transforms.audio.AudioFailure;
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
 */
record Stages(PCollection<EmbeddedWindow> embedded, List<PCollection<FileFailure>> failures) {

  static Stages apply(PCollection<KV<String, String>> files, EncodingSpec spec, EncodingOptions options) {
    PCollectionTuple decoded = files.apply("DecodeAndWindow",
        AudioIO.readWindows(spec.frontEnd()).withMaxShardSeconds(options.getMaxShardSeconds()));
    PCollection<FileFailure> decodeFailed = decoded.get(AudioIO.FAILURES).apply("DecodeFailures",
        MapElements.into(TypeDescriptor.of(FileFailure.class))
            .via((AudioFailure f) -> new FileFailure(f.sourceId(), "decode", f.message())));
    PCollection<FeatureWindow> features = decoded.get(AudioIO.WINDOWS).apply("Features", Features.of(spec.frontEnd()));
    ModelConfig model = spec.model().withBatchSize(options.getBatchSize()).withThreads(options.getModelThreads());
    PCollectionTuple inferred = features.apply("Inference", Inference.embed(model).withFailures());
    PCollection<FileFailure> inferenceFailed = inferred.get(Inference.FAILED).apply("InferenceFailures",
        MapElements.into(TypeDescriptor.of(FileFailure.class)).via((FailedWindow f) -> new FileFailure(f.sourceId(),
            "inference", "Inference failed on window " + f.index() + " (" + f.startS() + " s): " + f.error())));
    return new Stages(inferred.get(Inference.EMBEDDED), List.of(decodeFailed, inferenceFailed));
  }
}
