package org.humpback.registry.dao;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code clustering_jobs} table; the queue transitions live in {@code JobQueueDao}. */
@RegisterConstructorMapper(ClusteringJob.class)
public interface ClusteringJobDao {

  @SqlUpdate("""
      INSERT INTO clustering_jobs (id, status, embedding_set_ids, parameters, error_message, metrics, concurrency_key,
                                   created_at, updated_at, progress, windows_done, windows_total, windows_per_second,
                                   attempts, max_attempts, worker_id, heartbeat_at, started_at, finished_at, cancel_requested)
      VALUES (:id, :status, :embeddingSetIds, :parameters, :errorMessage, :metrics, :concurrencyKey,
              :createdAt, :updatedAt, :progress, :windowsDone, :windowsTotal, :windowsPerSecond,
              :attempts, :maxAttempts, :workerId, :heartbeatAt, :startedAt, :finishedAt, :cancelRequested)""")
  void insert(@BindMethods ClusteringJob job);

  @SqlQuery("SELECT * FROM clustering_jobs WHERE id = :id")
  Optional<ClusteringJob> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM clustering_jobs ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
  List<ClusteringJob> list(@Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT * FROM clustering_jobs WHERE status = :status ORDER BY created_at, id LIMIT :limit OFFSET :offset")
  List<ClusteringJob> listByStatus(@Bind("status") JobStatus status, @Bind("limit") int limit, @Bind("offset") int offset);

  /** Stores the quality metrics (JSON) of a job. */
  @SqlUpdate("UPDATE clustering_jobs SET metrics = :metrics, updated_at = :now WHERE id = :id")
  int updateMetrics(@Bind("id") String id, @Bind("metrics") String metricsJson, @Bind("now") Instant now);

  /** Deletes the job and (cascading) its clusters and assignments. */
  @SqlUpdate("DELETE FROM clustering_jobs WHERE id = :id")
  int delete(@Bind("id") String id);
}
