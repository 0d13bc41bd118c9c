package org.humpback.registry.dao;

import java.time.Instant;

/**
 * One encoding job (a row of {@code processing_jobs}): turn one audio file into one embedding set
 * with the encoding identified by {@code encodingSignature}. The queue columns (status to
 * cancelRequested) are written by {@code JobQueue}.
 *
 * @param modelVersion the registered model's name
 * @param featureConfig JSON of the front-end configuration
 * @param skipped the job completed without work because the embedding set existed
 * @param progress 0..1
 * @param attempts how many times a worker claimed it
 */
public record ProcessingJob(
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
    double progress,
    long windowsDone,
    Long windowsTotal,
    Double windowsPerSecond,
    int attempts,
    int maxAttempts,
    String workerId,
    Instant heartbeatAt,
    Instant startedAt,
    Instant finishedAt,
    boolean cancelRequested) {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** A new queued job, ready for {@code JobQueue.enqueue}. */
  public static ProcessingJob queued(
      String audioFileId, String encodingSignature, String modelVersion, Double windowSizeSeconds,
      Integer targetSampleRate, String featureConfigJson, int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("Invalid max_attempts: " + maxAttempts + " (expected >= 1)");
    }
    Instant now = org.humpback.registry.db.Timestamps.now();
    return new ProcessingJob(Ids.newId(), audioFileId, JobStatus.QUEUED, encodingSignature, modelVersion,
        windowSizeSeconds, targetSampleRate, org.humpback.registry.db.Json.requireValid("feature_config", featureConfigJson),
        null, now, now, false, 0.0, 0, null, null, 0, maxAttempts, null, null, null, null, false);
  }
}
