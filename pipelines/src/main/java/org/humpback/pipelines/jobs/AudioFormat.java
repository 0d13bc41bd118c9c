package org.humpback.pipelines.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Audio containers recognised from their first bytes: the one rule by which the command line (files and folders),
 * uploads and the stored copies tell audio from anything else. The stored file's extension comes from here, never
 * from the user's file name, so a name like {@code x.wav} on a PDF cannot choose where or how a file is stored, and a
 * recording named {@code .dat} is still found in a folder.
 */
public enum AudioFormat {
  WAV("wav"),
  MP3("mp3"),
  FLAC("flac"),
  OGG("ogg"),
  AIFF("aiff"),
  M4A("m4a");

  /** Bytes {@link #sniff} needs to decide. */
  public static final int HEAD_BYTES = 12;

  /** Why bytes that {@link #sniff} does not recognise are refused. */
  public static final String NOT_AUDIO = "Unsupported media: the file is not a WAV, MP3, FLAC, Ogg, AIFF or M4A audio file";

  private final String extension;

  AudioFormat(String extension) {
    this.extension = extension;
  }

  public String extension() {
    return extension;
  }

  /** The container of a file by its first bytes, or empty when it is none we accept (or is shorter than a header). */
  public static Optional<AudioFormat> of(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HEAD_BYTES);
    }
    return sniff(head, head.length);
  }

  /** The container whose signature starts {@code head[0..length)}, or empty when it is none we accept. */
  public static Optional<AudioFormat> sniff(byte[] head, int length) {
    if (length >= 12 && ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE")) {
      return Optional.of(WAV);
    }
    if (length >= 12 && ascii(head, 0, "FORM") && (ascii(head, 8, "AIFF") || ascii(head, 8, "AIFC"))) {
      return Optional.of(AIFF);
    }
    if (length >= 4 && ascii(head, 0, "fLaC")) {
      return Optional.of(FLAC);
    }
    if (length >= 4 && ascii(head, 0, "OggS")) {
      return Optional.of(OGG);
    }
    if (length >= 12 && ascii(head, 4, "ftyp") && (ascii(head, 8, "M4A ") || ascii(head, 8, "mp42")
        || ascii(head, 8, "isom") || ascii(head, 8, "M4B "))) {
      return Optional.of(M4A);
    }
    if (length >= 3 && ascii(head, 0, "ID3")) {
      return Optional.of(MP3);
    }
    if (length >= 3 && isMpegAudioFrame(head)) {
      return Optional.of(MP3);
    }
    return Optional.empty();
  }

  /** An MPEG-1/2/2.5 layer I-III frame header: 11 sync bits, a valid version, layer, bitrate and sample rate. */
  private static boolean isMpegAudioFrame(byte[] h) {
    int b0 = h[0] & 0xFF;
    int b1 = h[1] & 0xFF;
    int b2 = h[2] & 0xFF;
    boolean sync = b0 == 0xFF && (b1 & 0xE0) == 0xE0;
    boolean version = ((b1 >> 3) & 0x3) != 0x1; // 01 is reserved
    boolean layer = ((b1 >> 1) & 0x3) != 0x0; // 00 is reserved (and is what AAC ADTS uses)
    boolean bitrate = ((b2 >> 4) & 0xF) != 0xF;
    boolean sampleRate = ((b2 >> 2) & 0x3) != 0x3;
    return sync && version && layer && bitrate && sampleRate;
  }

  private static boolean ascii(byte[] b, int offset, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (b[offset + i] != (byte) s.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
