package org.humpback.transforms.model;

import java.io.Serializable;

/**
 * Published input/output facts of a well-known bioacoustic model, used to fill in (and check) a
 * registration when the user does not give them.
 *
 * @param key short identifier, e.g. {@code perch_v2}
 * @param namePattern case-insensitive regular expression matched (with {@code find}) against the
 *     model's file or folder name
 * @param sampleRate input sample rate in Hz
 * @param windowSeconds length of one input window in seconds
 * @param inputFormat waveform or spectrogram
 * @param outputName output that holds the embedding, or {@code null} when the runtime's first output is used;
 *     for TFLite files this may be an intermediate tensor of the graph (as YAMNet's embedding is)
 * @param vectorDim length of that output per window; 0 when no figure is published (take it from probing)
 * @param notes where the figures come from and what to watch for
 */
public record ModelPreset(
    String key,
    String namePattern,
    int sampleRate,
    double windowSeconds,
    InputFormat inputFormat,
    String outputName,
    int vectorDim,
    String notes)
    implements Serializable {

  /** Samples in one window at {@link #sampleRate()}, rounded to the nearest sample. */
  public int windowSamples() {
    return (int) Math.round(sampleRate * windowSeconds);
  }
}
