package org.humpback.transforms.model;

import java.util.List;

/**
 * A loaded model that turns a batch of front-end outputs into vectors. One small interface with
 * three runtimes behind it (TFLite, TF2 SavedModel, ONNX Runtime).
 *
 * <p>Implementations are not required to be thread-safe; {@code ModelCache} hands each DoFn
 * instance what it may use.
 */
public interface EmbeddingModel extends AutoCloseable {

  /** All inputs the model declares (for the selected signature, where there are several). */
  List<TensorInfo> inputs();

  /** All outputs the model declares. */
  List<TensorInfo> outputs();

  /** The input this model is fed through. */
  TensorInfo selectedInput();

  /** The output vectors are read from. */
  TensorInfo selectedOutput();

  /** Spectrogram or waveform, from the input's rank and shape (or as configured). */
  InputFormat inputFormat();

  /** Length of each output vector. */
  int outputDim();

  /**
   * Runs the model on a batch. Each item is one window's features, flattened row-major in the
   * layout of {@link #selectedInput()} without its batch dimension (for a spectrogram, the
   * front end's {@code [n_mels][frames]} unless the model's spec says it is transposed).
   *
   * @return one vector of {@link #outputDim()} floats per item, in order
   */
  float[][] embed(float[][] batch);

  @Override
  void close();
}
