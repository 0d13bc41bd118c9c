package org.humpback.rest.audio;

import java.nio.file.Path;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioInfo;

/**
 * Reads a stored upload's duration and sample rate. Backed by the FFmpeg decoder in production; a failure means the
 * bytes start like audio but cannot be decoded, which the upload refuses with 415.
 */
@FunctionalInterface
public interface AudioProbe {

  /** What the upload needs to know about a decodable file. */
  record Info(Double durationSeconds, Integer sampleRate, Integer channels) {}

  /** @throws Exception when the file cannot be decoded; the message is shown to the client */
  Info probe(Path file) throws Exception;

  /** Records no duration or rate; for tests that do not need the decoder. */
  AudioProbe NONE = file -> new Info(null, null, null);

  /** FFmpeg's view of the file's headers (no decoding of the whole stream). */
  AudioProbe FFMPEG = file -> {
    AudioInfo info = AudioDecoder.probe(file);
    return new Info(info.durationSeconds() >= 0 ? info.durationSeconds() : null, info.sampleRate(), info.channels());
  };
}
