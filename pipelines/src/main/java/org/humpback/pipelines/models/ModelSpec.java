package org.humpback.pipelines.models;

import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelType;

/**
 * What a user says about a model when registering or updating it. Every field but {@code path}
 * (for registration) is optional: {@code null} means "find out" on registration (from the file,
 * by probing, or from the matching {@code ModelPreset}) and "keep" on update.
 *
 * @param path model file or SavedModel folder; relative paths are inside the models folder
 * @param name unique key (letters, digits, {@code . _ -}); default: the file name without extension
 * @param vectorDim claimed output length; checked against the model
 * @param inputFormat claimed input kind; checked against the model's input shape
 * @param frontEndConfig JSON object of front-end overrides ({@code FrontEndConfig} keys)
 * @param makeDefault make this the default model
 */
public record ModelSpec(
    String path,
    String name,
    String displayName,
    String description,
    ModelType modelType,
    InputFormat inputFormat,
    Integer vectorDim,
    Integer sampleRate,
    Double windowSeconds,
    String frontEndConfig,
    String inputName,
    String outputName,
    String signatureName,
    Boolean transposeSpectrogram,
    boolean makeDefault) {

  /** A registration of {@code path} with everything else found out. */
  public static ModelSpec of(String path) {
    return new ModelSpec(path, null, null, null, null, null, null, null, null, null, null, null, null, null, false);
  }

  /** An update that changes nothing yet. */
  public static ModelSpec unchanged() {
    return of(null);
  }

  /** True when the update touches what the model computes (so embedding sets made with it would no longer match). */
  boolean changesOutputs() {
    return path != null || modelType != null || inputFormat != null || vectorDim != null || inputName != null
        || outputName != null || signatureName != null || transposeSpectrogram != null;
  }

  public ModelSpec withPath(String v) { return new ModelSpec(v, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withName(String v) { return new ModelSpec(path, v, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withDisplayName(String v) { return new ModelSpec(path, name, v, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withDescription(String v) { return new ModelSpec(path, name, displayName, v, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withModelType(ModelType v) { return new ModelSpec(path, name, displayName, description, v, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withInputFormat(InputFormat v) { return new ModelSpec(path, name, displayName, description, modelType, v, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withVectorDim(Integer v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, v, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withSampleRate(Integer v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, v, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withWindowSeconds(Double v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, v, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withFrontEndConfig(String v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, v, inputName, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withInputName(String v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, v, outputName, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withOutputName(String v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, v, signatureName, transposeSpectrogram, makeDefault); }
  public ModelSpec withSignatureName(String v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, v, transposeSpectrogram, makeDefault); }
  public ModelSpec withTransposeSpectrogram(Boolean v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, v, makeDefault); }
  public ModelSpec withMakeDefault(boolean v) { return new ModelSpec(path, name, displayName, description, modelType, inputFormat, vectorDim, sampleRate, windowSeconds, frontEndConfig, inputName, outputName, signatureName, transposeSpectrogram, v); }
}
