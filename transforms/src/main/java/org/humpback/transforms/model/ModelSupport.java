package org.humpback.transforms.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Helpers the three runtimes share: choosing tensors, inferring the input format, laying out items. */
final class ModelSupport {

  private ModelSupport() {}

  /** The named tensor, or the first when {@code name} is null; unknown names list the choices. */
  static TensorInfo select(String path, List<TensorInfo> tensors, String name, String what) {
    if (tensors.isEmpty()) {
      throw ModelException.of(path, "model declares no " + what + "s");
    }
    if (name == null || name.isBlank()) {
      return tensors.get(0);
    }
    for (TensorInfo t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    // Accept "name" for a TF-style "name:0", and the reverse, since users copy either form.
    for (TensorInfo t : tensors) {
      if (stripPort(t.name()).equals(stripPort(name))) {
        return t;
      }
    }
    throw ModelException.of(path, "no " + what + " named '" + name + "'; the model has "
        + tensors.stream().map(TensorInfo::toString).collect(Collectors.joining(", ")));
  }

  private static String stripPort(String n) {
    return n.replaceAll(":\\d+$", "");
  }

  /**
   * Waveform for rank 1, rank 2 {@code [b,n]} and rank 3 {@code [b,n,1]}; spectrogram for rank ≥ 3
   * with two non-batch dimensions of at least 8 (dynamic dims count as large).
   */
  static InputFormat inferFormat(TensorInfo input) {
    long[] s = input.shape();
    if (s.length <= 2) {
      return InputFormat.WAVEFORM;
    }
    if (s.length == 3 && s[2] == 1) {
      return InputFormat.WAVEFORM;
    }
    int spatial = 0;
    for (int i = 1; i < s.length; i++) {
      if (s[i] < 0 || s[i] >= 8) {
        spatial++;
      }
    }
    return spatial >= 2 ? InputFormat.SPECTROGRAM : InputFormat.WAVEFORM;
  }

  /** Values per item for a tensor: all dims after the batch dim (the whole tensor for rank ≤ 1); -1 if dynamic. */
  static long itemLength(long[] shape) {
    if (shape.length <= 1) {
      return shape.length == 0 ? 1 : shape[0];
    }
    return TensorInfo.elementsAfterFirst(shape);
  }

  /** Checks every item has the length the input wants (or, when dynamic, the same length as the first). */
  static int checkItems(String path, TensorInfo input, long expected, float[][] batch) {
    if (batch.length == 0) {
      return expected > 0 ? (int) expected : 0;
    }
    int want = expected > 0 ? (int) expected : batch[0].length;
    for (int i = 0; i < batch.length; i++) {
      if (batch[i] == null || batch[i].length != want) {
        throw ModelException.of(path, "input '" + input.name() + "' " + Arrays.toString(input.shape())
            + " takes " + want + " values per window, item " + i + " has "
            + (batch[i] == null ? "none" : batch[i].length)
            + " (check the front end's window length, sample rate and feature shape)");
      }
    }
    return want;
  }

  /**
   * Turns the front end's {@code [n_mels][frames]} item into the model's {@code [frames][n_mels]}.
   * The model's item dims (without batch, trailing singleton channels dropped) are {@code [frames, n_mels]}.
   */
  static float[] transpose(String path, TensorInfo input, float[] item) {
    long[] s = input.shape();
    int start = s.length >= 3 ? 1 : 0;
    int end = s.length;
    while (end - start > 2 && s[end - 1] == 1) {
      end--;
    }
    if (end - start != 2 || s[start] < 0 || s[start + 1] < 0) {
      throw ModelException.of(path, "transpose_spectrogram needs an input with two fixed spatial dims, '"
          + input.name() + "' is " + Arrays.toString(s));
    }
    int frames = (int) s[start];
    int mels = (int) s[start + 1];
    float[] out = new float[item.length];
    for (int m = 0; m < mels; m++) {
      for (int f = 0; f < frames; f++) {
        out[f * mels + m] = item[m * frames + f];
      }
    }
    return out;
  }

  /** Applies {@link #transpose} to every item when the config asks for it. */
  static float[][] layout(ModelConfig config, TensorInfo input, InputFormat format, float[][] batch) {
    if (!config.transposeSpectrogram() || format != InputFormat.SPECTROGRAM) {
      return batch;
    }
    float[][] out = new float[batch.length][];
    for (int i = 0; i < batch.length; i++) {
      out[i] = transpose(config.path(), input, batch[i]);
    }
    return out;
  }

  /**
   * The input's shape for a call on {@code rows} items of {@code itemLen} values each: the batch dim
   * set to {@code rows} and the one dynamic item dim (if any) solved from {@code itemLen}.
   *
   * @throws ModelException when the input has more than one dynamic item dim
   */
  static long[] batchShape(String path, TensorInfo input, int rows, long itemLen) {
    long[] out = input.shape().clone();
    out[0] = rows;
    long known = 1;
    int dynamic = -1;
    for (int i = 1; i < out.length; i++) {
      if (out[i] < 0) {
        if (dynamic >= 0) {
          throw ModelException.of(path, "input '" + input.name() + "' has several dynamic dims "
              + java.util.Arrays.toString(input.shape()) + "; cannot shape a flat item");
        }
        dynamic = i;
      } else {
        known *= out[i];
      }
    }
    if (dynamic >= 0) {
      out[dynamic] = itemLen / Math.max(known, 1);
    }
    return out;
  }

  /** Fails early, with the path, when the model file or folder is missing or empty. */
  static Path requireFile(String path, boolean directory) {
    Path p = Path.of(path);
    if (!Files.exists(p)) {
      throw ModelException.of(path, "model " + (directory ? "folder" : "file") + " does not exist");
    }
    if (directory != Files.isDirectory(p)) {
      throw ModelException.of(path, directory ? "expected a SavedModel folder, found a file"
          : "expected a model file, found a folder");
    }
    if (!Files.isReadable(p)) {
      throw ModelException.of(path, "model is not readable");
    }
    return p;
  }
}
