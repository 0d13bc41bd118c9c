package org.humpback.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The running humpback version (from the build), written into every output file's provenance. */
public final class HumpbackVersion {

  private static final String VERSION = load();

  private HumpbackVersion() {}

  public static String current() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = HumpbackVersion.class.getResourceAsStream("humpback-version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException ignored) {
      // fall through: an unfiltered build still runs, it only cannot name its version
    }
    return "unknown";
  }
}
