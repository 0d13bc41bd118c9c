package org.humpback.transforms.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.humpback.transforms.testing.SharedCorpus;

/** Reads the raw little-endian golden librosa files (no header, C order); skips the test when absent. */
final class Golden {

  private Golden() {}

  static final int SR = 32000;

  /** cfg1: the project defaults (librosa melspectrogram(sr=32000, n_mels=128, n_fft=2048, hop_length=1252), ref=max). */
  static FrontEndConfig cfg1() {
    return FrontEndConfig.defaults();
  }

  /** cfg2: n_fft=1024, hop=320, fmin=60, fmax=16000, ref=1.0, natural 501 frames. */
  static FrontEndConfig cfg2() {
    return FrontEndConfig.defaults().withNFft(1024).withHopLength(320).withFmin(60).withFmax(16000.0)
        .withDbRef(1.0).withTargetFrames(0);
  }

  static Path path(String relative) {
    return SharedCorpus.golden(relative);
  }

  static float[] f32(String relative) {
    ByteBuffer b = bytes(relative);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static double[] f64(String relative) {
    ByteBuffer b = bytes(relative);
    double[] out = new double[b.remaining() / 8];
    b.asDoubleBuffer().get(out);
    return out;
  }

  static float[] input(String name) {
    return f32("inputs/" + name + ".f32");
  }

  private static ByteBuffer bytes(String relative) {
    try {
      return ByteBuffer.wrap(Files.readAllBytes(path(relative))).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
