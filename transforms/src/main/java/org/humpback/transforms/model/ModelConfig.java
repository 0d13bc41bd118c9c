package org.humpback.transforms.model;

import java.io.Serializable;

/**
 * How to open and feed one model. Serializable so DoFns can carry it; the runtime itself is loaded
 * in {@code @Setup} through {@code ModelCache}, keyed by this whole record.
 *
 * @param path model file (.tflite / .onnx) or SavedModel directory, absolute
 * @param type which runtime opens it
 * @param signatureName SavedModel signature; {@code null} = serving_default (or the only one)
 * @param inputName input tensor by name; {@code null} = the first input
 * @param outputName output tensor by name (e.g. "scores", "embedding"); {@code null} = the first output.
 *     For TFLite any tensor the graph computes may be named, not only a declared output
 * @param inputFormat spectrogram or waveform; {@code null} = inferred from the input's rank and shape
 * @param transposeSpectrogram feed {@code [frames][n_mels]} instead of the front end's {@code [n_mels][frames]}
 * @param threads intra-op threads for the runtime (TFLite/XNNPACK, ONNX); 0 = runtime default
 * @param batchSize windows per {@code embed} call the runtime is sized for (resized when the model allows)
 * @param frameHopSamples 0 = each item is one model input; otherwise items are longer waveforms cut into
 *     model-input-long frames this many samples apart, and each item's vector is the mean of its frames'
 *     vectors ({@link FramePooledModel}; set from {@code FrontEndConfig.frameHopSeconds})
 * @param hybridKernels TFLite only: run a dynamic-range-quantized model (int8 weights, float
 *     activations) on TFLite's hybrid kernels, which quantize activations to int8 on every call;
 *     {@code false} (the default) dequantizes its weights once at load so the layers compute in
 *     float, as the model it was quantized from does (see {@code TfLiteFlatbuffer#withDequantizedWeights})
 */
public record ModelConfig(
    String path,
    ModelType type,
    String signatureName,
    String inputName,
    String outputName,
    InputFormat inputFormat,
    boolean transposeSpectrogram,
    int threads,
    int batchSize,
    int frameHopSamples,
    boolean hybridKernels)
    implements Serializable {

  public ModelConfig {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("Invalid model path: empty");
    }
    if (type == null) {
      throw new IllegalArgumentException("Invalid model_type: null for " + path);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("Invalid threads: " + threads + " (expected >= 0)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid batch_size: " + batchSize + " (expected >= 1)");
    }
    if (frameHopSamples < 0) {
      throw new IllegalArgumentException("Invalid frame hop: " + frameHopSamples + " samples (expected >= 0)");
    }
  }

  /** Every choice but TFLite's hybrid kernels (off). */
  public ModelConfig(String path, ModelType type, String signatureName, String inputName, String outputName,
      InputFormat inputFormat, boolean transposeSpectrogram, int threads, int batchSize, int frameHopSamples) {
    this(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, threads, batchSize, frameHopSamples, false);
  }

  /** Every choice but frame pooling and TFLite's hybrid kernels (both off). */
  public ModelConfig(String path, ModelType type, String signatureName, String inputName, String outputName,
      InputFormat inputFormat, boolean transposeSpectrogram, int threads, int batchSize) {
    this(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, threads, batchSize, 0, false);
  }

  /** A config with every choice left to the runtime's defaults and batch size 1. */
  public static ModelConfig of(String path, ModelType type) {
    return new ModelConfig(path, type, null, null, null, null, false, 0, 1);
  }

  public ModelConfig withSignatureName(String v) { return new ModelConfig(path, type, v, inputName, outputName, inputFormat, transposeSpectrogram, threads, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withInputName(String v) { return new ModelConfig(path, type, signatureName, v, outputName, inputFormat, transposeSpectrogram, threads, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withOutputName(String v) { return new ModelConfig(path, type, signatureName, inputName, v, inputFormat, transposeSpectrogram, threads, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withInputFormat(InputFormat v) { return new ModelConfig(path, type, signatureName, inputName, outputName, v, transposeSpectrogram, threads, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withTransposeSpectrogram(boolean v) { return new ModelConfig(path, type, signatureName, inputName, outputName, inputFormat, v, threads, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withThreads(int v) { return new ModelConfig(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, v, batchSize, frameHopSamples, hybridKernels); }
  public ModelConfig withFrameHopSamples(int v) { return new ModelConfig(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, threads, batchSize, v, hybridKernels); }
  public ModelConfig withBatchSize(int v) { return new ModelConfig(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, threads, v, frameHopSamples, hybridKernels); }
  public ModelConfig withHybridKernels(boolean v) { return new ModelConfig(path, type, signatureName, inputName, outputName, inputFormat, transposeSpectrogram, threads, batchSize, frameHopSamples, v); }
}
