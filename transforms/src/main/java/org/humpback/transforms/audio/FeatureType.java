package org.humpback.transforms.audio;

/** What the front end hands to the model: a log-mel spectrogram or the raw waveform window. */
public enum FeatureType {
  LOG_MEL("log_mel"),
  WAVEFORM("waveform");

  private final String wireName;

  FeatureType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static FeatureType fromWireName(String name) {
    for (FeatureType f : values()) {
      if (f.wireName.equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)
          || (f == LOG_MEL && "spectrogram".equalsIgnoreCase(name))) {
        return f;
      }
    }
    throw new IllegalArgumentException("Invalid features: '" + name + "' (expected log_mel or waveform)");
  }
}
