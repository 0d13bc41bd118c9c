package org.humpback.pipelines;

import java.io.Serializable;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;

/**
 * Why one audio file could not be encoded: the dead-letter element of the encoding pipeline.
 *
 * @param sourceId the audio file's id
 * @param reason a short machine-readable stage name ({@code decode}, {@code features}, {@code inference},
 *     {@code no_windows}, {@code incomplete}, {@code write}) used in metric names and the job's error
 * @param message a readable explanation naming the file
 */
@DefaultCoder(SerializableCoder.class)
public record FileFailure(String sourceId, String reason, String message) implements Serializable {

  public FileFailure {
    if (sourceId == null || reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("Invalid file failure: sourceId=" + sourceId + ", reason=" + reason);
    }
    if (message == null || message.isBlank()) {
      message = reason;
    }
  }
}
