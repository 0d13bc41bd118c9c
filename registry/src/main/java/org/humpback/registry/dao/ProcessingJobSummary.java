package org.humpback.registry.dao;

import java.time.Instant;

/**
 * The columns of a {@code processing_jobs} row that the API's job list shows (the queue's bookkeeping columns left
 * out): {@code GET /processing/jobs} fetches 100 rows per call, and each column fetched through the SQLite driver costs
 * a few JNI calls. Same meanings as in {@link ProcessingJob}.
 */
public record ProcessingJobSummary(
    String id,
    String audioFileId,
    JobStatus status,
    String encodingSignature,
    String modelVersion,
    Double windowSizeSeconds,
    Integer targetSampleRate,
    String featureConfig,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    boolean skipped,
    double progress) {

  /** The summary of a full row. */
  public static ProcessingJobSummary of(ProcessingJob j) {
    return new ProcessingJobSummary(j.id(), j.audioFileId(), j.status(), j.encodingSignature(), j.modelVersion(),
        j.windowSizeSeconds(), j.targetSampleRate(), j.featureConfig(), j.errorMessage(), j.createdAt(),
        j.updatedAt(), j.skipped(), j.progress());
  }
}
