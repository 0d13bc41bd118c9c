package org.humpback.transforms.audio;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One window of mono audio at the target rate, with where it sits in its source file.
 *
 * @param sourceId identifies the source file (an audio_file_id, or a path for ad-hoc use)
 * @param index 0-based window index within the whole file (not the shard), so rows sort by time
 * @param startS window start in seconds from the file's start
 * @param endS window end in seconds; for a zero-padded last window this is where the audio ends,
 *     not start + window length
 * @param samples exactly {@code FrontEndConfig.windowSamples()} samples (zero-padded when needed)
 */
@DefaultCoder(WindowCoders.AudioWindowCoder.class)
public record AudioWindow(String sourceId, long index, double startS, double endS, float[] samples)
    implements Serializable {

  @Override
  public boolean equals(Object o) {
    return o instanceof AudioWindow w
        && sourceId.equals(w.sourceId) && index == w.index
        && Double.compare(startS, w.startS) == 0 && Double.compare(endS, w.endS) == 0
        && Arrays.equals(samples, w.samples);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * sourceId.hashCode() + Long.hashCode(index)) + Arrays.hashCode(samples);
  }

  @Override
  public String toString() {
    return "AudioWindow[" + sourceId + " #" + index + " " + startS + "-" + endS + "s, " + samples.length + " samples]";
  }
}
