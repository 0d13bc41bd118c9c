package org.humpback.transforms.model;

/** What a model's input tensor holds. Wire names are the seed's {@code input_format} values. */
public enum InputFormat {
  /** A time-frequency image, e.g. [batch, mels, frames] or [batch, mels, frames, 1]. */
  SPECTROGRAM("spectrogram"),
  /** Raw samples, [batch, samples] or [batch, samples, 1]. */
  WAVEFORM("waveform");

  private final String wireName;

  InputFormat(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static InputFormat fromWireName(String name) {
    for (InputFormat f : values()) {
      if (f.wireName.equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("Invalid input_format: '" + name + "' (expected spectrogram or waveform)");
  }
}
