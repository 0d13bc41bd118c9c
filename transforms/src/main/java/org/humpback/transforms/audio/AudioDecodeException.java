package org.humpback.transforms.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A recording could not be decoded. The message names the file and says what is wrong in words a
 * user can act on; {@link #reason()} is the machine-readable category (dead-letter outputs and
 * metrics group failures by it).
 */
public final class AudioDecodeException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why a file could not be decoded. */
  public enum Reason {
    /** The file has zero bytes. */
    EMPTY_FILE,
    /** The bytes are not a recognised audio container (e.g. a text file named .wav). */
    NOT_AUDIO,
    /** The container holds no audio stream (e.g. a video-only or data-only file). */
    NO_AUDIO_STREAM,
    /** The file is damaged so badly that no audio could be decoded. */
    CORRUPT,
    /** The codec or format is recognised but cannot be decoded by this build. */
    UNSUPPORTED,
    /** The file declares a sample rate that cannot be real, or the requested target rate is invalid. */
    BAD_SAMPLE_RATE,
    /** More channels than {@link AudioDecoder#MAX_CHANNELS}. */
    TOO_MANY_CHANNELS,
    /** The file could not be read (missing, permissions, I/O error). */
    IO
  }

  private final Reason reason;
  private final String file;

  public AudioDecodeException(Reason reason, Path file, String problem) {
    this(reason, file, problem, null);
  }

  public AudioDecodeException(Reason reason, Path file, String problem, Throwable cause) {
    this(reason, file == null ? null : file.toString(), problem, cause);
  }

  /** For sources known by name (a path or URI). */
  public AudioDecodeException(Reason reason, String file, String problem) {
    this(reason, file, problem, (Throwable) null);
  }

  /** For sources known only by name (a source id, a URI). */
  public AudioDecodeException(Reason reason, String file, String problem, Throwable cause) {
    super("Cannot decode audio file " + (file == null ? "<none>" : file) + ": " + problem, cause);
    this.reason = reason;
    this.file = file;
  }

  /** The failure category. */
  public Reason reason() {
    return reason;
  }

  /** The file that failed, as given to the decoder. */
  public String file() {
    return file;
  }
}
