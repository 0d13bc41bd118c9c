package org.humpback.rest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Real audio bytes for upload tests. */
public final class TestAudio {

  private TestAudio() {}

  /** A 16-bit mono PCM WAV: {@code seconds} of a sine at {@code hz}. */
  public static byte[] wav(double seconds, int sampleRate, double hz) {
    int n = (int) Math.round(seconds * sampleRate);
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * n).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * n);
    for (int i = 0; i < n; i++) {
      b.putShort((short) Math.round(12_000 * Math.sin(2 * Math.PI * hz * i / sampleRate)));
    }
    return b.array();
  }
}
