package org.humpback.pipelines;

import java.io.Serializable;
import java.util.Map;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.beam.EmbeddingParquetIO;
import org.humpback.transforms.beam.EncoderSpec;
import org.humpback.transforms.model.ModelConfig;

/**
 * Everything one encoding run needs besides its input files, small and serializable so DoFns carry it.
 *
 * @param modelName registry name of the model
 * @param modelVersion the model's version label (first path level under data/embeddings)
 * @param model how to open and feed the model
 * @param frontEnd every front-end parameter
 * @param signature {@link EncodingSignature#compute} of the above
 * @param embeddingsRoot absolute path of data/embeddings
 * @param audioSha256ById audio file id → SHA-256 of its bytes (footer provenance)
 */
public record EncodingSpec(String modelName, String modelVersion, ModelConfig model, FrontEndConfig frontEnd,
    String signature, String embeddingsRoot, Map<String, String> audioSha256ById) implements Serializable {

  public EncodingSpec {
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("Invalid model name: '" + modelName + "'");
    }
    if (modelVersion == null || modelVersion.isBlank()) {
      throw new IllegalArgumentException("Invalid model_version: '" + modelVersion + "'");
    }
    if (model == null || frontEnd == null) {
      throw new IllegalArgumentException("Invalid encoding spec: model and front end are required");
    }
    if (signature == null || !signature.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("Invalid encoding_signature: '" + signature + "' (expected 64 hex characters)");
    }
    if (embeddingsRoot == null || embeddingsRoot.isBlank()) {
      throw new IllegalArgumentException("Invalid embeddings root: '" + embeddingsRoot + "'");
    }
    audioSha256ById = Map.copyOf(audioSha256ById == null ? Map.of() : audioSha256ById);
    // How the model is fed follows the front end (frame pooling), so every user of the spec feeds it alike.
    model = model.withFrameHopSamples(frontEnd.frameHopSamples());
  }

  /** Where the file for {@code audioFileId} goes (as {@link EmbeddingParquetIO#write} names it). */
  public java.nio.file.Path parquetPath(String audioFileId) {
    return java.nio.file.Path.of(EmbeddingParquetIO.target(embeddingsRoot, footer(), audioFileId));
  }

  /** The footer values every file of the run carries. */
  public EmbeddingParquetIO.Footer footer() {
    return new EmbeddingParquetIO.Footer(modelName, modelVersion, signature, frontEnd.toCanonicalJson(),
        HumpbackVersion.current());
  }

  /** The model and front end as the encoding transform takes them. */
  public EncoderSpec encoderSpec() {
    return EncoderSpec.of(model, frontEnd);
  }
}
