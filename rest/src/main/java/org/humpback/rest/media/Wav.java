package org.humpback.rest.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Mono float samples as a 16-bit PCM WAV file: what every browser's {@code <audio>} plays. */
final class Wav {

  static final int HEADER_BYTES = 44;

  private Wav() {}

  /**
   * The WAV bytes of {@code samples} at {@code sampleRate}; with {@code normalize}, scaled so the peak sits at
   * 0.98 of full scale (quiet hydrophone recordings are often inaudible as recorded). Values beyond ±1 are clipped.
   */
  static byte[] pcm16(float[] samples, int sampleRate, boolean normalize) {
    float gain = 1f;
    if (normalize) {
      float peak = 0f;
      for (float s : samples) {
        peak = Math.max(peak, Math.abs(s));
      }
      gain = peak > 0 ? 0.98f / peak : 1f;
    }
    int dataBytes = samples.length * 2;
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
        .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2)
        .putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (float s : samples) {
      float v = Math.max(-1f, Math.min(1f, s * gain));
      b.putShort((short) Math.round(v * 32767f));
    }
    return b.array();
  }
}
