package org.humpback.pipelines;

import java.io.Serializable;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.humpback.transforms.beam.EncodingFailure;

/**
 * What encoding one audio file produced.
 *
 * @param audioFileId the file's id
 * @param windows rows written (0 when failed)
 * @param vectorDim embedding length (0 when failed)
 * @param parquetPath the written file, or {@code null} when failed
 * @param errorReason {@code null} when ok, else an {@link EncodingFailure.Reason#wireName()}, or
 *     {@code pipeline} / {@code canceled} when the run itself failed or was cancelled
 * @param errorMessage {@code null} when ok, else a readable message
 */
@DefaultCoder(SerializableCoder.class)
public record FileResult(String audioFileId, long windows, int vectorDim, String parquetPath, String errorReason,
    String errorMessage) implements Serializable {

  public static FileResult ok(String audioFileId, long windows, int vectorDim, String parquetPath) {
    return new FileResult(audioFileId, windows, vectorDim, parquetPath, null, null);
  }

  public static FileResult failed(EncodingFailure f) {
    return failed(f.sourceId(), f.reason().wireName(), f.message());
  }

  public static FileResult failed(String audioFileId, String reason, String message) {
    return new FileResult(audioFileId, 0, 0, null, reason, message);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isOk() {
    return errorReason == null;
  }
}
