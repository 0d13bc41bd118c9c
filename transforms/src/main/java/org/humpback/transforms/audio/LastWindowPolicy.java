package org.humpback.transforms.audio;

/** What to do with the samples after the last full window. */
public enum LastWindowPolicy {
  /** Emit the last partial window, padded with zeros to full length (the seed's behaviour, the default). */
  PAD("pad"),
  /** Emit one more window that ends exactly at the file's end and overlaps the window before it. */
  OVERLAP_BACK("overlap-back"),
  /** Drop the trailing partial window (a file shorter than one window still yields one padded window). */
  DROP("drop");

  private final String wireName;

  LastWindowPolicy(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in JSON, on the command line and in the encoding signature. */
  public String wireName() {
    return wireName;
  }

  public static LastWindowPolicy fromWireName(String name) {
    for (LastWindowPolicy p : values()) {
      if (p.wireName.equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Invalid last_window: '" + name + "' (expected pad, overlap-back or drop)");
  }
}
