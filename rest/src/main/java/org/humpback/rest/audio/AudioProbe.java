package org.humpback.rest.audio;

import java.nio.file.Path;

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

  /** Records no duration or rate; for deployments without the decoder. */
  AudioProbe NONE = file -> new Info(null, null, null);
}
