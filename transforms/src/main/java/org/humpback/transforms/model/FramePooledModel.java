package org.humpback.transforms.model;

import java.util.List;

/**
 * A waveform model with a fixed input shorter than the window, fed the way YAMNet's own code and its
 * users do: each window is cut into model-input-long frames {@code hop} samples apart (frames that
 * would run past the window's end are not made; a window shorter than one frame is zero-padded to
 * one), every frame is embedded, and the window's vector is the mean of its frames' vectors. So a
 * 0.975-s model gives one vector per 5-s window, like a model built for 5-s windows.
 *
 * <p>Frames of all windows of a batch go to the model together, in calls of the runtime's batch size.
 */
final class FramePooledModel implements EmbeddingModel {

  private final EmbeddingModel inner;
  private final int frameLength;
  private final int hop;
  private final int callSize;
  private final TensorInfo input;

  FramePooledModel(EmbeddingModel inner, int hop, int callSize, String path) {
    long len = ModelSupport.itemLength(inner.selectedInput().shape());
    if (inner.inputFormat() != InputFormat.WAVEFORM || len <= 0) {
      inner.close();
      throw new ModelException(path + ": frame pooling (frame_hop_seconds) needs a waveform model with a fixed input"
          + " length; input '" + inner.selectedInput().name() + "' is " + inner.selectedInput());
    }
    this.inner = inner;
    this.frameLength = (int) len;
    this.hop = hop;
    this.callSize = Math.max(1, callSize);
    TensorInfo in = inner.selectedInput();
    // Items are whole windows of any length, so the input this wrapper takes has a dynamic length.
    this.input = new TensorInfo(in.index(), in.name(), new long[] {-1, -1}, in.dtype());
  }

  /** What probing reports for {@code m}: for a pooled model, its runtime's description. */
  static ModelDescription describe(EmbeddingModel m) {
    return m instanceof FramePooledModel p ? describe(p.inner) : ((AbstractEmbeddingModel) m).describe();
  }

  /** Number of frames a window of {@code samples} samples is cut into. */
  static int frames(int samples, int frameLength, int hop) {
    return samples <= frameLength ? 1 : 1 + (samples - frameLength) / hop;
  }

  @Override
  public float[][] embed(float[][] batch) {
    int total = 0;
    for (float[] w : batch) {
      if (w == null || w.length == 0) {
        throw new ModelException("Invalid window for frame pooling: " + (w == null ? "null" : "0 samples"));
      }
      total += frames(w.length, frameLength, hop);
    }
    float[][] frames = new float[total][];
    int k = 0;
    for (float[] w : batch) {
      int n = frames(w.length, frameLength, hop);
      for (int f = 0; f < n; f++) {
        float[] frame = new float[frameLength];
        int start = f * hop;
        System.arraycopy(w, start, frame, 0, Math.min(frameLength, w.length - start));
        frames[k++] = frame;
      }
    }
    float[][] vectors = new float[total][];
    for (int from = 0; from < total; from += callSize) {
      int to = Math.min(total, from + callSize);
      float[][] call = java.util.Arrays.copyOfRange(frames, from, to);
      float[][] out = inner.embed(call);
      System.arraycopy(out, 0, vectors, from, out.length);
    }
    float[][] pooled = new float[batch.length][];
    k = 0;
    for (int i = 0; i < batch.length; i++) {
      int n = frames(batch[i].length, frameLength, hop);
      double[] sum = new double[vectors[k].length];
      for (int f = 0; f < n; f++, k++) {
        float[] v = vectors[k];
        for (int j = 0; j < sum.length; j++) {
          sum[j] += v[j];
        }
      }
      float[] mean = new float[sum.length];
      for (int j = 0; j < sum.length; j++) {
        mean[j] = (float) (sum[j] / n);
      }
      pooled[i] = mean;
    }
    return pooled;
  }

  @Override
  public List<TensorInfo> inputs() {
    return inner.inputs();
  }

  @Override
  public List<TensorInfo> outputs() {
    return inner.outputs();
  }

  @Override
  public TensorInfo selectedInput() {
    return input;
  }

  @Override
  public TensorInfo selectedOutput() {
    return inner.selectedOutput();
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.WAVEFORM;
  }

  @Override
  public int outputDim() {
    return inner.outputDim();
  }

  @Override
  public void close() {
    inner.close();
  }
}
