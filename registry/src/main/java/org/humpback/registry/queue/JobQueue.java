package org.humpback.registry.queue;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * A job table used as a work queue shared by any number of worker threads and processes.
 *
 * <p>Life cycle: {@code queued → running → complete | failed | canceled}. A worker {@link #claim}s
 * the oldest claimable job, sends {@link #heartbeat}s (or {@link #progress}) while it works — the
 * answer tells it when cancellation was requested or when it lost the job — and ends with
 * {@link #complete}, {@link #fail} or {@link #acknowledgeCancel}. {@link #requeueStale} returns
 * the jobs of workers that went silent to the queue, up to {@code max_attempts} claims.
 *
 * <p>On SQLite every write runs in an IMMEDIATE transaction (see {@code Database}); on PostgreSQL the
 * claim's sub-select locks the row it picks ({@code FOR UPDATE SKIP LOCKED}). Either way the claim is one
 * {@code UPDATE … WHERE id = (SELECT …) RETURNING id}: no job is ever claimed twice.
 *
 * @param <J> the job record
 */
public final class JobQueue<J> {

  /** The two job tables and what "the same work" means in each. */
  public enum Kind {
    /**
     * Encoding jobs: two jobs for the same audio file and encoding signature would write the same
     * embedding set, so they never run at the same time. Jobs with the same signature on different
     * files do run in parallel (that is how a folder is encoded).
     */
    PROCESSING("processing_jobs",
        "r.encoding_signature = q.encoding_signature AND r.audio_file_id IS NOT DISTINCT FROM q.audio_file_id"),
    /** Clustering jobs: jobs with the same (non-null) concurrency key never run at the same time. */
    CLUSTERING("clustering_jobs", "r.concurrency_key = q.concurrency_key");

    private final String table;
    private final String sameKeyPredicate;

    Kind(String table, String sameKeyPredicate) {
      this.table = table;
      this.sameKeyPredicate = sameKeyPredicate;
    }

    public String table() {
      return table;
    }
  }

  /** What a heartbeat (or progress report) learned. */
  public enum Heartbeat {
    /** Still ours; carry on. */
    OWNED,
    /** Still ours, but someone asked to cancel: stop and call {@link #acknowledgeCancel}. */
    CANCEL_REQUESTED,
    /** No longer ours (requeued after a stale heartbeat, or already finished): stop without writing. */
    LOST
  }

  /** What {@link #cancel} did. */
  public enum CancelOutcome {
    /** It was queued and is now canceled. */
    CANCELED,
    /** It is running; its worker will see the request at its next heartbeat. */
    REQUESTED,
    /** It had already completed, failed or been canceled. */
    ALREADY_FINISHED,
    NOT_FOUND
  }

  private final Jdbi jdbi;
  private final Kind kind;
  private final BiFunction<Handle, String, Optional<J>> loader;
  private final BiConsumer<Handle, J> inserter;
  private final Clock clock;

  private JobQueue(Jdbi jdbi, Kind kind, BiFunction<Handle, String, Optional<J>> loader, BiConsumer<Handle, J> inserter, Clock clock) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.kind = kind;
    this.loader = loader;
    this.inserter = inserter;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public static JobQueue<ProcessingJob> processing(Jdbi jdbi) {
    return new JobQueue<>(jdbi, Kind.PROCESSING,
        (h, id) -> h.attach(ProcessingJobDao.class).findById(id),
        (h, job) -> h.attach(ProcessingJobDao.class).insert(job),
        Clock.systemUTC());
  }

  public static JobQueue<ClusteringJob> clustering(Jdbi jdbi) {
    return new JobQueue<>(jdbi, Kind.CLUSTERING,
        (h, id) -> h.attach(ClusteringJobDao.class).findById(id),
        (h, job) -> h.attach(ClusteringJobDao.class).insert(job),
        Clock.systemUTC());
  }

  /** The same queue reading time from {@code clock} (tests move time forward). */
  public JobQueue<J> withClock(Clock clock) {
    return new JobQueue<>(jdbi, kind, loader, inserter, clock);
  }

  public Kind kind() {
    return kind;
  }

  /** Inserts a queued job and returns it as stored. */
  public J enqueue(J job) {
    return jdbi.inTransaction(h -> {
      inserter.accept(h, job);
      return job;
    });
  }

  public Optional<J> find(String jobId) {
    return jdbi.withHandle(h -> loader.apply(h, jobId));
  }

  /** Claims the oldest claimable queued job for {@code workerId}; empty when there is none. */
  public Optional<J> claim(String workerId) {
    requireWorker(workerId);
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(h -> h.attach(JobQueueDao.class)
            .claim(kind.table, kind.sameKeyPredicate, workerId, now())
            .flatMap(id -> loader.apply(h, id)));
      } catch (JdbiException e) {
        // PostgreSQL only: another claim took a job of the same key at the same moment, and the
        // *_one_running index refused this one. The next statement sees that job running and skips its key.
        if (attempt >= MAX_CLAIM_ATTEMPTS || !isUniqueViolation(e)) {
          throw e;
        }
      }
    }
  }

  private static final int MAX_CLAIM_ATTEMPTS = 10;

  /** SQLSTATE 23505 (unique_violation) anywhere in the causes. */
  private static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  public Heartbeat heartbeat(String jobId, String workerId) {
    requireWorker(workerId);
    return toHeartbeat(jdbi.inTransaction(h -> h.attach(JobQueueDao.class).heartbeat(kind.table, jobId, workerId, now())));
  }

  /**
   * Records progress; counts as a heartbeat.
   *
   * @param windowsTotal total windows when known, else {@code null} (the stored total and progress stay)
   * @param windowsPerSecond current throughput, or {@code null} (the stored figure stays)
   */
  public Heartbeat progress(String jobId, String workerId, long windowsDone, Long windowsTotal, Double windowsPerSecond) {
    requireWorker(workerId);
    if (windowsDone < 0) {
      throw new IllegalArgumentException("Invalid windows_done: " + windowsDone + " (expected >= 0)");
    }
    if (windowsTotal != null && windowsTotal < 0) {
      throw new IllegalArgumentException("Invalid windows_total: " + windowsTotal + " (expected >= 0)");
    }
    Double progress = windowsTotal == null ? null : windowsTotal == 0 ? 0.0 : Math.min(1.0, (double) windowsDone / windowsTotal);
    return toHeartbeat(jdbi.inTransaction(h -> h.attach(JobQueueDao.class)
        .progress(kind.table, jobId, workerId, windowsDone, windowsTotal, windowsPerSecond, progress, now())));
  }

  /**
   * Marks an owned running job complete; false when the worker no longer owns it or a cancel was
   * requested (then {@link #finish} or {@link #acknowledgeCancel} ends it).
   */
  public boolean complete(String jobId, String workerId) {
    return finish(jobId, workerId, h -> {}) == Finish.COMPLETED;
  }

  /** How {@link #finish} ended a job. */
  public enum Finish {
    /** Completed; the job's results were stored in the same transaction. */
    COMPLETED,
    /** A cancel had been requested: the job is canceled and its results were not stored. */
    CANCELED,
    /** Not this worker's job any more: nothing was written. */
    LOST
  }

  /**
   * Ends an owned running job in ONE transaction: completes it and stores its results with
   * {@code storeResults} (run on the same handle), or, when a cancel was requested before, cancels
   * it and stores nothing. So a cancel the API accepted is never lost, and a job never shows
   * complete without its results.
   */
  public Finish finish(String jobId, String workerId, Consumer<Handle> storeResults) {
    requireWorker(workerId);
    return jdbi.inTransaction(h -> {
      JobQueueDao dao = h.attach(JobQueueDao.class);
      Instant now = now();
      if (dao.complete(kind.table, jobId, workerId, now) == 1) {
        storeResults.accept(h);
        return Finish.COMPLETED;
      }
      return dao.acknowledgeCancel(kind.table, jobId, workerId, now) == 1 ? Finish.CANCELED : Finish.LOST;
    });
  }

  /**
   * Marks an owned running job failed with {@code errorMessage} (canceled, keeping the message, when
   * a cancel was requested); false when not owned.
   */
  public boolean fail(String jobId, String workerId, String errorMessage) {
    requireWorker(workerId);
    String message = errorMessage == null || errorMessage.isBlank() ? "failed without a message" : errorMessage;
    return jdbi.inTransaction(h -> h.attach(JobQueueDao.class).fail(kind.table, jobId, workerId, message, now())) == 1;
  }

  /** Cancels a queued job at once, or asks the worker of a running one to stop. */
  public CancelOutcome cancel(String jobId) {
    return jdbi.inTransaction(h -> {
      JobQueueDao dao = h.attach(JobQueueDao.class);
      Instant now = now();
      if (dao.cancelQueued(kind.table, jobId, now) == 1) {
        return CancelOutcome.CANCELED;
      }
      if (dao.requestCancel(kind.table, jobId, now) == 1) {
        return CancelOutcome.REQUESTED;
      }
      return dao.status(kind.table, jobId).map(s -> CancelOutcome.ALREADY_FINISHED).orElse(CancelOutcome.NOT_FOUND);
    });
  }

  /** The owning worker stopped after a cancel request: the job becomes canceled. */
  public boolean acknowledgeCancel(String jobId, String workerId) {
    requireWorker(workerId);
    return jdbi.inTransaction(h -> h.attach(JobQueueDao.class).acknowledgeCancel(kind.table, jobId, workerId, now())) == 1;
  }

  /**
   * Returns running jobs whose last heartbeat is older than {@code threshold} to the queue (or
   * marks them failed once they used {@code max_attempts} claims, or canceled when a cancel was
   * pending). A job with a heartbeat younger than the threshold is never touched.
   *
   * @return the jobs moved, with their new status
   */
  public List<JobQueueDao.Transition> requeueStale(Duration threshold) {
    if (threshold == null || threshold.isNegative() || threshold.isZero()) {
      throw new IllegalArgumentException("Invalid stale threshold: " + threshold + " (expected > 0)");
    }
    Instant now = now();
    return jdbi.inTransaction(h -> h.attach(JobQueueDao.class).requeueStale(kind.table, now.minus(threshold), now));
  }

  public Optional<JobStatus> status(String jobId) {
    return jdbi.withHandle(h -> h.attach(JobQueueDao.class).status(kind.table, jobId));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Heartbeat toHeartbeat(Optional<Boolean> cancelRequested) {
    return cancelRequested.map(c -> c ? Heartbeat.CANCEL_REQUESTED : Heartbeat.OWNED).orElse(Heartbeat.LOST);
  }

  private static void requireWorker(String workerId) {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("Invalid worker_id: empty");
    }
  }
}
