package org.humpback.transforms.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes test recordings: WAV by hand (so headers can be broken on purpose), others through {@link TestEncoder}. */
final class TestAudio {

  private TestAudio() {}

  /** A sine of {@code freq} Hz at amplitude {@code amp}, {@code n} samples at {@code rate}. */
  static float[] sine(int n, int rate, double freq, double amp) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return x;
  }

  /** Interleaved samples in [-1, 1] as a WAV of {@code bits} (8/16/24/32 int, or 32/64 float). */
  static byte[] wav(float[] interleaved, int channels, int rate, int bits, boolean isFloat) {
    int bytesPer = bits / 8;
    ByteBuffer data = ByteBuffer.allocate(interleaved.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : interleaved) {
      if (isFloat) {
        if (bits == 32) {
          data.putFloat(v);
        } else {
          data.putDouble(v);
        }
        continue;
      }
      double c = Math.max(-1, Math.min(1, v));
      switch (bits) {
        case 8 -> data.put((byte) (Math.round(c * 127) + 128));
        case 16 -> data.putShort((short) Math.round(c * 32767));
        case 24 -> {
          int s = (int) Math.round(c * 8388607);
          data.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
        }
        case 32 -> data.putInt((int) Math.round(c * 2147483647.0));
        default -> throw new IllegalArgumentException("bits " + bits);
      }
    }
    return wavBytes(data.array(), channels, rate, bits, isFloat, data.capacity());
  }

  /** A WAV container around raw {@code data}, with a data-chunk size field of {@code declaredDataSize}. */
  static byte[] wavBytes(byte[] data, int channels, int rate, int bits, boolean isFloat, long declaredDataSize) {
    ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    h.put("RIFF".getBytes()).putInt((int) (36 + declaredDataSize)).put("WAVE".getBytes());
    h.put("fmt ".getBytes()).putInt(16).putShort((short) (isFloat ? 3 : 1)).putShort((short) channels)
        .putInt(rate).putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
    h.put("data".getBytes()).putInt((int) declaredDataSize);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.array());
    out.writeBytes(data);
    return out.toByteArray();
  }

  static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /**
   * Converts a mono {@code wav} to another format by the extension of {@code out} (mp3, flac, ogg), with the
   * FFmpeg libraries in this process ({@link TestEncoder}).
   */
  static Path encode(Path wav, Path out) throws IOException {
    try (AudioDecoder d = AudioDecoder.open(wav, 0)) {
      return TestEncoder.encode(d.readAll(), d.outputSampleRate(), out);
    }
  }

  static float[] decodeAll(Path file, int rate) throws AudioDecodeException {
    try (AudioDecoder d = AudioDecoder.open(file, rate)) {
      return d.readAll();
    }
  }

  static double rms(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (double) x[i] * x[i];
    }
    return Math.sqrt(s / Math.max(1, to - from));
  }
}
