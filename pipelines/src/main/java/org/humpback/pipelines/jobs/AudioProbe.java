package org.humpback.pipelines.jobs;

import java.nio.file.Path;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioInfo;

/**
 * Reads a stored recording's duration, sample rate and channels at import ({@link AudioImport}). Backed by the FFmpeg
 * decoder in production; a failure means the bytes start like audio but cannot be decoded, which the import refuses.
 */
@FunctionalInterface
public interface AudioProbe {

  /** What the upload needs to know about a decodable file. */
  record Info(Double durationSeconds, Integer sampleRate, Integer channels) {}

  /** @throws Exception when the file cannot be decoded; the message is shown to the client */
  Info probe(Path file) throws Exception;

  /** Records no duration or rate; for tests that do not need the decoder. */
  AudioProbe NONE = file -> new Info(null, null, null);

  /**
   * FFmpeg's view of the file's headers (no decoding of the whole stream). When the headers give no duration, or a
   * zero one, the first samples are decoded: a file with a header and no samples is refused like undecodable bytes.
   */
  AudioProbe FFMPEG = file -> {
    AudioInfo info = AudioDecoder.probe(file);
    Double duration = info.durationSeconds() >= 0 ? info.durationSeconds() : null;
    if (duration == null || duration == 0) {
      try (AudioDecoder decoder = AudioDecoder.open(file, 0)) {
        if (decoder.read(new float[1], 0, 1) < 0) {
          throw new IllegalArgumentException("the file contains no audio samples");
        }
      }
    }
    return new Info(duration, info.sampleRate(), info.channels());
  };
}
