package org.humpback.transforms.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared} (golden librosa data, real recordings, real models). A fresh clone has
 * no such folder, so tests that need it are skipped with a message saying what is missing.
 *
 * <p>Surefire sets {@code humpback.shared} to {@code <project root>/../shared}; the environment
 * variable {@code HUMPBACK_SHARED} overrides it.
 */
public final class SharedCorpus {

  private SharedCorpus() {}

  /** The shared folder, which may not exist. */
  public static Path root() {
    String env = System.getenv("HUMPBACK_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String prop = System.getProperty("humpback.shared");
    return prop != null ? Path.of(prop).normalize() : Path.of("..", "..", "shared").toAbsolutePath().normalize();
  }

  /** {@code shared/<relative>}, or skips the calling test when it is absent. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    assumeTrue(Files.exists(p),
        "skipped: " + p + " is absent (../shared is not beside this clone; set HUMPBACK_SHARED to run this test)");
    return p;
  }

  /** {@code shared/golden/librosa/<relative>}, or skips. */
  public static Path golden(String relative) {
    return require("golden/librosa/" + relative);
  }

  /** {@code shared/corpus/audio/<relative>}, or skips. */
  public static Path audio(String relative) {
    return require("corpus/audio/" + relative);
  }

  /**
   * YAMNet as the project ships it in {@code models/yamnet/} (the same file as the corpus copy), so that
   * tests of the real model run on a fresh clone too. Surefire sets {@code humpback.root}.
   */
  public static Path yamnet() {
    String prop = System.getProperty("humpback.root");
    Path root = prop != null ? Path.of(prop) : Path.of("..").toAbsolutePath();
    Path p = root.resolve("models/yamnet/yamnet.tflite").normalize();
    assumeTrue(Files.exists(p), "skipped: the shipped model " + p + " is absent");
    return p;
  }

  /** {@code shared/corpus/models/<relative>}, or skips. */
  public static Path model(String relative) {
    return require("corpus/models/" + relative);
  }
}
