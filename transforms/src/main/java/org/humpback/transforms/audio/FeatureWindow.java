package org.humpback.transforms.audio;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One window's model-input features: a log-mel spectrogram {@code [n_mels][frames]} or a waveform
 * {@code [samples]}, flattened row-major.
 *
 * @param sourceId the source file's id (see {@link AudioWindow#sourceId()})
 * @param index 0-based window index in the whole file
 * @param startS window start in seconds
 * @param endS window end in seconds
 * @param shape dimensions of {@code values}: {@code [n_mels, frames]} or {@code [samples]}
 * @param values the features, row-major
 */
@DefaultCoder(WindowCoders.FeatureWindowCoder.class)
public record FeatureWindow(String sourceId, long index, double startS, double endS, int[] shape, float[] values)
    implements Serializable {

  public FeatureWindow {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException("FeatureWindow shape " + Arrays.toString(shape)
          + " holds " + n + " values, got " + values.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureWindow w
        && sourceId.equals(w.sourceId) && index == w.index
        && Double.compare(startS, w.startS) == 0 && Double.compare(endS, w.endS) == 0
        && Arrays.equals(shape, w.shape) && Arrays.equals(values, w.values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * sourceId.hashCode() + Long.hashCode(index)) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "FeatureWindow[" + sourceId + " #" + index + " " + startS + "-" + endS + "s, shape " + Arrays.toString(shape) + "]";
  }
}
