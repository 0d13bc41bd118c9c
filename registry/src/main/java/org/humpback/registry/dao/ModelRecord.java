package org.humpback.registry.dao;

import java.time.Instant;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;

/**
 * One registered embedding model (a row of {@code models}).
 *
 * @param name unique key; embedding sets refer to the model by it ({@code model_version})
 * @param path absolute path of the .tflite/.onnx file or SavedModel directory
 * @param vectorDim length of the vectors the model outputs
 * @param sampleRate the rate the model expects, or {@code null} for the application default
 * @param windowSeconds the window the model expects, or {@code null} for the application default
 * @param frontEndConfig JSON of {@code FrontEndConfig} overrides, or {@code null}
 * @param inputName input tensor to feed, {@code null} = the first
 * @param outputName output tensor to read, {@code null} = the first
 * @param signatureName SavedModel signature, {@code null} = serving_default
 * @param modelSha256 hash of the model file's bytes when registered (SavedModel: of saved_model.pb)
 */
public record ModelRecord(
    String id,
    String name,
    String displayName,
    String path,
    int vectorDim,
    String description,
    boolean isDefault,
    ModelType modelType,
    InputFormat inputFormat,
    Integer sampleRate,
    Double windowSeconds,
    String frontEndConfig,
    String inputName,
    String outputName,
    String signatureName,
    boolean transposeSpectrogram,
    String modelSha256,
    Instant createdAt,
    Instant updatedAt) {

  /** How to open this model; threads and batch size left to the caller. */
  public ModelConfig toModelConfig() {
    return new ModelConfig(path, modelType, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, 0, 1);
  }

  public ModelRecord withDefault(boolean v) {
    return new ModelRecord(id, name, displayName, path, vectorDim, description, v, modelType, inputFormat, sampleRate,
        windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, modelSha256, createdAt, updatedAt);
  }

  public ModelRecord withUpdatedAt(Instant v) {
    return new ModelRecord(id, name, displayName, path, vectorDim, description, isDefault, modelType, inputFormat, sampleRate,
        windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, modelSha256, createdAt, v);
  }
}
