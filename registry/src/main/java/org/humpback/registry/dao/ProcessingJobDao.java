package org.humpback.registry.dao;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.statement.UseRowMapper;

/** The {@code processing_jobs} table; the queue transitions live in {@code JobQueueDao}. */
// A hand-written mapper: the list endpoint maps 100 rows per call (see ProcessingJobMapper).
@RegisterRowMapper(ProcessingJobMapper.class)
public interface ProcessingJobDao {

  @SqlUpdate("""
      INSERT INTO processing_jobs (id, audio_file_id, status, encoding_signature, model_version, window_size_seconds,
                                   target_sample_rate, feature_config, error_message, created_at, updated_at, skipped,
                                   progress, windows_done, windows_total, windows_per_second, attempts, max_attempts,
                                   worker_id, heartbeat_at, started_at, finished_at, cancel_requested)
      VALUES (:id, :audioFileId, :status, :encodingSignature, :modelVersion, :windowSizeSeconds,
              :targetSampleRate, :featureConfig, :errorMessage, :createdAt, :updatedAt, :skipped,
              :progress, :windowsDone, :windowsTotal, :windowsPerSecond, :attempts, :maxAttempts,
              :workerId, :heartbeatAt, :startedAt, :finishedAt, :cancelRequested)""")
  void insert(@BindMethods ProcessingJob job);

  @SqlQuery("SELECT * FROM processing_jobs WHERE id = :id")
  Optional<ProcessingJob> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM processing_jobs ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
  List<ProcessingJob> list(@Bind("limit") int limit, @Bind("offset") int offset);

  /** The page {@link #list} returns, only the columns the API's list shows (see {@link ProcessingJobSummary}). */
  @SqlQuery("""
      SELECT id, audio_file_id, status, encoding_signature, model_version, window_size_seconds, target_sample_rate,
             feature_config, error_message, created_at, updated_at, skipped, progress
      FROM processing_jobs ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset""")
  @UseRowMapper(ProcessingJobMapper.Summary.class)
  List<ProcessingJobSummary> listSummaries(@Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT * FROM processing_jobs WHERE status = :status ORDER BY created_at, id LIMIT :limit OFFSET :offset")
  List<ProcessingJob> listByStatus(@Bind("status") JobStatus status, @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT * FROM processing_jobs WHERE audio_file_id = :audioFileId ORDER BY created_at, id")
  List<ProcessingJob> listByAudioFile(@Bind("audioFileId") String audioFileId);

  /** A job for this file and signature that is queued or running, if any (to avoid enqueuing twice). */
  @SqlQuery("""
      SELECT * FROM processing_jobs
      WHERE audio_file_id = :audioFileId AND encoding_signature = :signature AND status IN ('queued', 'running')
      ORDER BY created_at LIMIT 1""")
  Optional<ProcessingJob> findActive(@Bind("audioFileId") String audioFileId, @Bind("signature") String encodingSignature);

  /** Jobs of any status ever queued for this file and signature (a file no job made is not ours to delete). */
  @SqlQuery("SELECT count(*) FROM processing_jobs WHERE audio_file_id = :audioFileId AND encoding_signature = :signature")
  long countByAudioFileAndSignature(@Bind("audioFileId") String audioFileId, @Bind("signature") String encodingSignature);

  @SqlQuery("SELECT count(*) FROM processing_jobs WHERE status = :status")
  long countByStatus(@Bind("status") JobStatus status);

  /** Marks a running job as done without work (its embedding set already existed). */
  @SqlUpdate("UPDATE processing_jobs SET skipped = 1, updated_at = :now WHERE id = :id")
  int markSkipped(@Bind("id") String id, @Bind("now") java.time.Instant now);

  @SqlUpdate("DELETE FROM processing_jobs WHERE id = :id")
  int delete(@Bind("id") String id);
}
