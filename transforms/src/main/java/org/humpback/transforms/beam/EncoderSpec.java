package org.humpback.transforms.beam;

import java.io.Serializable;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.TensorInfo;

/**
 * What turns audio into vectors: the model and the front end that feeds it, as one serializable
 * value. How the model is fed follows the front end (frame pooling), so the model config is adjusted
 * here once. {@link #checkFits} opens the model and refuses a front end whose windows it cannot take.
 *
 * @param model how to open and feed the model
 * @param frontEnd every front-end parameter
 */
public record EncoderSpec(ModelConfig model, FrontEndConfig frontEnd) implements Serializable {

  public EncoderSpec {
    if (model == null) {
      throw new IllegalArgumentException("Invalid encoder spec: model is null");
    }
    if (frontEnd == null) {
      throw new IllegalArgumentException("Invalid encoder spec: front end is null");
    }
    model = model.withFrameHopSamples(frontEnd.frameHopSamples());
  }

  public static EncoderSpec of(ModelConfig model, FrontEndConfig frontEnd) {
    return new EncoderSpec(model, frontEnd);
  }

  /** Windows per model call (does not change the numbers). */
  public EncoderSpec withBatchSize(int batchSize) {
    return new EncoderSpec(model.withBatchSize(batchSize), frontEnd);
  }

  /** Intra-op threads per model instance, 0 = the runtime's default (does not change the numbers). */
  public EncoderSpec withModelThreads(int threads) {
    return new EncoderSpec(model.withThreads(threads), frontEnd);
  }

  /** Values per window the front end makes: the waveform's samples or the spectrogram's mels × frames. */
  public long valuesPerWindow() {
    return frontEnd.features() == FeatureType.WAVEFORM ? frontEnd.windowSamples()
        : (long) frontEnd.nMels() * frontEnd.outputFrames();
  }

  /** The front end in words, for messages. */
  public String describeFrontEnd() {
    return frontEnd.features() == FeatureType.WAVEFORM
        ? "front end waveform at " + frontEnd.sampleRate() + " Hz, " + frontEnd.windowSeconds() + "-s windows ("
            + frontEnd.windowSamples() + " samples)"
        : "front end log_mel at " + frontEnd.sampleRate() + " Hz, " + frontEnd.windowSeconds() + "-s windows ("
            + frontEnd.nMels() + " mels × " + frontEnd.outputFrames() + " frames = " + valuesPerWindow() + " values)";
  }

  /**
   * Opens the model once and checks that the front end's windows are what it takes: the same kind
   * of input (waveform or spectrogram) and, when the model's input length is fixed, the same length.
   * A front end that does not fit would otherwise fail on every window at run time.
   *
   * @throws IllegalArgumentException naming both the front end and the model's input
   * @throws org.humpback.transforms.model.ModelException when the model cannot be opened
   */
  public void checkFits() {
    try (EmbeddingModel m = EmbeddingModels.open(model.withBatchSize(1))) {
      TensorInfo in = m.selectedInput();
      InputFormat wants = m.inputFormat();
      boolean waveform = frontEnd.features() == FeatureType.WAVEFORM;
      long length = itemLength(in.shape());
      String modelSays = "model " + model.path() + " takes input '" + in.name() + "' " + in.dtype()
          + java.util.Arrays.toString(in.shape()) + " (" + wants.name().toLowerCase(java.util.Locale.ROOT) + ")";
      if ((wants == InputFormat.WAVEFORM) != waveform) {
        throw new IllegalArgumentException("The " + describeFrontEnd() + " does not fit the " + modelSays
            + ": set the front end's features to " + (wants == InputFormat.WAVEFORM ? "waveform" : "log_mel"));
      }
      if (length > 0 && length != valuesPerWindow()) {
        throw new IllegalArgumentException("The " + describeFrontEnd() + " does not fit the " + modelSays
            + ": it takes " + length + " values per window, the front end makes " + valuesPerWindow());
      }
    }
  }

  /** Values per item of an input shape (all dims after the batch dim); -1 when one is dynamic. */
  private static long itemLength(long[] shape) {
    if (shape.length <= 1) {
      return shape.length == 0 ? 1 : shape[0];
    }
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return -1;
      }
      n *= shape[i];
    }
    return n;
  }
}
