package org.humpback.registry.dao;

import java.time.Instant;

/**
 * One registered embedding model (a row of {@code models}).
 *
 * @param name unique key; embedding sets refer to the model by it ({@code model_version})
 * @param path absolute path of the .tflite/.onnx file or SavedModel directory
 * @param modelType the runtime's wire name ({@code tflite}, {@code tf2_saved_model}, {@code onnx}); the model code
 *     ({@code ModelType.fromWireName}) reads it, the database layer only stores it
 * @param inputFormat {@code waveform} or {@code spectrogram}, likewise stored as the wire name
 * @param vectorDim length of the vectors the model outputs
 * @param sampleRate the rate the model expects, or {@code null} for the application default
 * @param windowSeconds the window the model expects, or {@code null} for the application default
 * @param frontEndConfig JSON of {@code FrontEndConfig} overrides, or {@code null}
 * @param inputName input tensor to feed, {@code null} = the first
 * @param outputName output tensor to read, {@code null} = the first
 * @param signatureName SavedModel signature, {@code null} = serving_default
 * @param modelSha256 the model checksum the encoding signature uses ({@code EncodingSignature.modelChecksum}: the
 *     file's bytes, or every file of a SavedModel folder) when registered
 */
public record ModelRecord(
    String id,
    String name,
    String displayName,
    String path,
    int vectorDim,
    String description,
    boolean isDefault,
    String modelType,
    String inputFormat,
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

  public ModelRecord withDefault(boolean v) {
    return new ModelRecord(id, name, displayName, path, vectorDim, description, v, modelType, inputFormat, sampleRate,
        windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, modelSha256, createdAt, updatedAt);
  }

  public ModelRecord withUpdatedAt(Instant v) {
    return new ModelRecord(id, name, displayName, path, vectorDim, description, isDefault, modelType, inputFormat, sampleRate,
        windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, modelSha256, createdAt, v);
  }
}
