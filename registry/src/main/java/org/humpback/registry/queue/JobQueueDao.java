package org.humpback.registry.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.humpback.registry.dao.JobStatus;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The queue transitions shared by {@code processing_jobs} and {@code clustering_jobs}, which have
 * the same queue columns. {@code <table>} and {@code <sameKey>} come from {@link JobQueue.Kind},
 * never from user input. Every transition of a running job checks that the caller still owns it
 * ({@code worker_id}), so a worker that lost its job to the stale sweep cannot overwrite the new
 * owner's state.
 */
@RegisterConstructorMapper(JobQueueDao.Transition.class)
public interface JobQueueDao {

  /** A job's new status after a sweep. */
  record Transition(String id, JobStatus status) {}

  /**
   * Claims the oldest queued job whose key no running job holds, in ONE statement, and returns its id.
   * SQLite: the sub-select and the update see the same snapshot under the write lock, so two workers
   * can never claim the same row. PostgreSQL: {@code <claimLock>} is {@code FOR UPDATE SKIP LOCKED},
   * so concurrent claims lock different rows, and the outer {@code status = 'queued'} is checked again
   * on the locked row; a job whose key another claim took at the same moment is refused by the
   * {@code *_one_running} index (see {@code JobQueue.claim}).
   */
  @SqlQuery("""
      UPDATE <table>
         SET status = 'running', worker_id = :workerId, attempts = attempts + 1, heartbeat_at = :now,
             started_at = :now, updated_at = :now, finished_at = NULL, cancel_requested = 0
       WHERE status = 'queued'
         AND id = (SELECT q.id FROM <table> q
                    WHERE q.status = 'queued'
                      AND NOT EXISTS (SELECT 1 FROM <table> r WHERE r.status = 'running' AND <sameKey>)
                    ORDER BY q.created_at, q.id
                    LIMIT 1 <claimLock>)
      RETURNING id""")
  Optional<String> claim(@Define("table") String table, @Define("sameKey") String sameKey,
      @Bind("workerId") String workerId, @Bind("now") Instant now);

  /** Refreshes the heartbeat of an owned running job; returns cancel_requested, empty when not owned. */
  @SqlQuery("""
      UPDATE <table> SET heartbeat_at = :now, updated_at = :now
       WHERE id = :id AND worker_id = :workerId AND status = 'running'
      RETURNING cancel_requested""")
  Optional<Boolean> heartbeat(@Define("table") String table, @Bind("id") String id,
      @Bind("workerId") String workerId, @Bind("now") Instant now);

  /** Records progress (and so a heartbeat) of an owned running job; null values keep what was stored. */
  @SqlQuery("""
      UPDATE <table> SET heartbeat_at = :now, updated_at = :now, windows_done = :done,
             windows_total = coalesce(:total, windows_total),
             windows_per_second = coalesce(:perSecond, windows_per_second),
             progress = coalesce(:progress, progress)
       WHERE id = :id AND worker_id = :workerId AND status = 'running'
      RETURNING cancel_requested""")
  Optional<Boolean> progress(@Define("table") String table, @Bind("id") String id, @Bind("workerId") String workerId,
      @Bind("done") long windowsDone, @Bind("total") Long windowsTotal, @Bind("perSecond") Double windowsPerSecond,
      @Bind("progress") Double progress, @Bind("now") Instant now);

  /**
   * Completes an owned running job unless a cancel was requested: the cancel request and this update
   * touch the same row, so exactly one of them wins (a cancel that loses sees the job complete).
   */
  @SqlUpdate("""
      UPDATE <table> SET status = 'complete', progress = 1, error_message = NULL, finished_at = :now, updated_at = :now
       WHERE id = :id AND worker_id = :workerId AND status = 'running' AND cancel_requested = 0""")
  int complete(@Define("table") String table, @Bind("id") String id, @Bind("workerId") String workerId, @Bind("now") Instant now);

  /** Fails an owned running job; one whose cancel was requested ends canceled (the message is kept). */
  @SqlUpdate("""
      UPDATE <table> SET status = CASE WHEN cancel_requested = 1 THEN 'canceled' ELSE 'failed' END,
             error_message = :message, finished_at = :now, updated_at = :now
       WHERE id = :id AND worker_id = :workerId AND status = 'running'""")
  int fail(@Define("table") String table, @Bind("id") String id, @Bind("workerId") String workerId,
      @Bind("message") String message, @Bind("now") Instant now);

  @SqlUpdate("""
      UPDATE <table> SET status = 'canceled', finished_at = :now, updated_at = :now
       WHERE id = :id AND status = 'queued'""")
  int cancelQueued(@Define("table") String table, @Bind("id") String id, @Bind("now") Instant now);

  @SqlUpdate("""
      UPDATE <table> SET cancel_requested = 1, updated_at = :now
       WHERE id = :id AND status = 'running'""")
  int requestCancel(@Define("table") String table, @Bind("id") String id, @Bind("now") Instant now);

  /** The owning worker stopped because cancel was requested. */
  @SqlUpdate("""
      UPDATE <table> SET status = 'canceled', finished_at = :now, updated_at = :now
       WHERE id = :id AND worker_id = :workerId AND status = 'running'""")
  int acknowledgeCancel(@Define("table") String table, @Bind("id") String id, @Bind("workerId") String workerId,
      @Bind("now") Instant now);

  @SqlQuery("SELECT status FROM <table> WHERE id = :id")
  Optional<JobStatus> status(@Define("table") String table, @Bind("id") String id);

  /**
   * Running jobs whose heartbeat is older than {@code cutoff}: cancel-requested ones become
   * canceled, those out of attempts become failed, the rest go back to the queue. The error message
   * says which worker went silent and when; on failure it is the final error.
   */
  @SqlQuery("""
      UPDATE <table>
         SET status = CASE WHEN cancel_requested = 1 THEN 'canceled'
                           WHEN attempts >= max_attempts THEN 'failed'
                           ELSE 'queued' END,
             error_message = CASE WHEN cancel_requested = 1 THEN error_message
                                  WHEN attempts >= max_attempts
                                  THEN 'failed after ' || attempts || ' attempt(s): worker ' || coalesce(worker_id, '?')
                                       || ' stopped sending heartbeats (last at ' || coalesce(heartbeat_at, 'never') || ')'
                                  ELSE 'attempt ' || attempts || ': worker ' || coalesce(worker_id, '?')
                                       || ' stopped sending heartbeats (last at ' || coalesce(heartbeat_at, 'never')
                                       || '); requeued' END,
             finished_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN :now ELSE NULL END,
             worker_id = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN worker_id ELSE NULL END,
             heartbeat_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN heartbeat_at ELSE NULL END,
             updated_at = :now
       WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < :cutoff)
      RETURNING id, status""")
  List<Transition> requeueStale(@Define("table") String table, @Bind("cutoff") Instant cutoff, @Bind("now") Instant now);
}
