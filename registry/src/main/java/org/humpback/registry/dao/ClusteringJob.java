package org.humpback.registry.dao;

import java.time.Instant;
import java.util.List;
import org.humpback.registry.db.Json;
import org.humpback.registry.db.Timestamps;

/**
 * One clustering job (a row of {@code clustering_jobs}). The queue columns (status to
 * cancelRequested) are written by {@code JobQueue}.
 *
 * @param embeddingSetIds JSON array of embedding set ids (see {@link #embeddingSetIdList()})
 * @param parameters JSON of the clustering parameters
 * @param metrics JSON of the quality metrics, once complete
 * @param concurrencyKey jobs with the same key never run at the same time; {@code null} = no limit
 */
public record ClusteringJob(
    String id,
    JobStatus status,
    String embeddingSetIds,
    String parameters,
    String errorMessage,
    String metrics,
    String concurrencyKey,
    Instant createdAt,
    Instant updatedAt,
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

  public static ClusteringJob queued(List<String> embeddingSetIds, String parametersJson, String concurrencyKey, int maxAttempts) {
    if (embeddingSetIds == null || embeddingSetIds.isEmpty()) {
      throw new IllegalArgumentException("Invalid embedding_set_ids: empty (a clustering job needs at least one embedding set)");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("Invalid max_attempts: " + maxAttempts + " (expected >= 1)");
    }
    Instant now = Timestamps.now();
    return new ClusteringJob(Ids.newId(), JobStatus.QUEUED, Json.write(embeddingSetIds),
        Json.requireValid("parameters", parametersJson), null, null, concurrencyKey, now, now, 0.0, 0, null, null, 0,
        maxAttempts, null, null, null, null, false);
  }

  public List<String> embeddingSetIdList() {
    return Json.readStringList(embeddingSetIds);
  }
}
