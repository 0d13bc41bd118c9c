package org.humpback.pipelines;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.PipelineResult;
import org.humpback.pipelines.jobs.EncodingRequests;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.WindowPlan;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processing jobs from the registry's queue, a batch at a time, as one worker.
 *
 * <p>Jobs stay per file (the API's unit); a worker claims a batch of them ({@link #runNextBatch}).
 * For each: resolve the audio file and model, compute the encoding signature; when an embedding set
 * with that (audio file, signature) exists, complete at once as skipped. The others run as one
 * {@link EncodingPipeline} per (model, front end) while this thread heartbeats every job with the
 * run's progress (Beam's windows_embedded counter: windows done / windows expected from the files'
 * durations, windows/s) and watches for cancellation; then each job gets its embedding set and
 * completes, or fails with a readable message. A failure never stops the runner.
 */
public final class JobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /**
   * Jobs a worker claims at once: enough that a folder of short files runs as one pipeline (a run's
   * start costs about a second, a short file's encoding less), few enough that a worker does not
   * hold the queue from other workers for long.
   */
  public static final int BATCH_JOBS = 64;

  /**
   * @param workerId this worker's name in the job table
   * @param runner {@code direct} or {@code flink}
   * @param flinkMaster for flink: {@code [local]} or {@code host:port}
   * @param parallelism runner parallelism, {@code null} = its default
   * @param heartbeatInterval how often progress is reported (must be well under the stale threshold)
   * @param modelThreads intra-op threads of the model runtime, 0 = default
   * @param batchSize windows per model call
   * @param enforceChecks the direct runner's immutability/encodability checks (tests only)
   * @param batchJobs jobs claimed at once and run as one pipeline ({@link #BATCH_JOBS} by default)
   */
  public record Settings(String workerId, String runner, String flinkMaster, Integer parallelism,
      Duration heartbeatInterval, int modelThreads, int batchSize, boolean enforceChecks, int batchJobs) {

    /** Settings with the default batch of jobs. */
    public Settings(String workerId, String runner, String flinkMaster, Integer parallelism,
        Duration heartbeatInterval, int modelThreads, int batchSize, boolean enforceChecks) {
      this(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks, BATCH_JOBS);
    }

    public Settings {
      if (workerId == null || workerId.isBlank()) {
        throw new IllegalArgumentException("Invalid worker id: '" + workerId + "'");
      }
      if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
        throw new IllegalArgumentException("Invalid heartbeat interval: " + heartbeatInterval + " (expected > 0)");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("Invalid batch size: " + batchSize + " (expected >= 1)");
      }
      if (batchJobs < 1) {
        throw new IllegalArgumentException("Invalid jobs per run: " + batchJobs + " (expected >= 1)");
      }
    }

    public static Settings defaults(String workerId) {
      return new Settings(workerId, "direct", null, null, Duration.ofSeconds(5), 0, 16, false, BATCH_JOBS);
    }

    public Settings withRunner(String runner, String flinkMaster, Integer parallelism) {
      return new Settings(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks, batchJobs);
    }

    public Settings withHeartbeatInterval(Duration v) {
      return new Settings(workerId, runner, flinkMaster, parallelism, v, modelThreads, batchSize, enforceChecks, batchJobs);
    }

    public Settings withEnforceChecks(boolean v) {
      return new Settings(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, v, batchJobs);
    }

    public Settings withBatchJobs(int v) {
      return new Settings(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks, v);
    }

    public Settings withWorkerId(String v) {
      return new Settings(v, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks, batchJobs);
    }
  }

  /** How one job ended. */
  public enum Outcome { COMPLETED, SKIPPED, FAILED, CANCELED, LOST }

  /** What {@link #runNext} did; {@code null} fields when they do not apply. */
  public record JobReport(String jobId, String audioFileId, Outcome outcome, long windows, String parquetPath,
      String error, Duration elapsed) {}

  /** Called with each job's report (the encode command's progress output uses it). */
  public interface Listener {
    default void started(ProcessingJob job, long windowsTotal) {}

    default void progress(ProcessingJob job, long windowsDone, long windowsTotal, double windowsPerSecond) {}

    default void finished(JobReport report) {}
  }

  private final Database db;
  private final JobQueue<ProcessingJob> queue;
  private final Path home;
  private final Path storageRoot;
  private final Settings settings;
  private final Listener listener;

  /**
   * @param home HUMPBACK_HOME: relative stored audio paths resolve against it
   * @param storageRoot HUMPBACK_STORAGE_ROOT (data/): outputs go to {@code embeddings/}, scratch to {@code tmp/}
   */
  public JobRunner(Database db, Path home, Path storageRoot, Settings settings, Listener listener) {
    this.db = db;
    this.queue = JobQueue.processing(db.jdbi());
    this.home = home.toAbsolutePath().normalize();
    this.storageRoot = storageRoot.toAbsolutePath().normalize();
    this.settings = settings;
    this.listener = listener == null ? new Listener() {} : listener;
  }

  public Settings settings() {
    return settings;
  }

  /** Removes what stopped processes left in the storage root and no live job owns ({@link Leftovers}). */
  public Leftovers.Swept removeLeftovers(Duration minAge) {
    return Leftovers.sweep(db, storageRoot, minAge);
  }

  /** Claims and runs one job; empty when the queue had nothing claimable. */
  public Optional<JobReport> runNext() {
    return runNextBatch(1).stream().findFirst();
  }

  /**
   * Claims up to {@code maxJobs} queued jobs and runs them: jobs already encoded complete at once as
   * skipped, and the others run as one pipeline per (model, front end) — one Beam run for the batch,
   * not one per file. Returns one report per claimed job (empty when nothing was claimable).
   */
  public List<JobReport> runNextBatch(int maxJobs) {
    if (maxJobs < 1) {
      throw new IllegalArgumentException("Invalid batch size: " + maxJobs + " jobs (expected >= 1)");
    }
    List<ProcessingJob> claimed = new ArrayList<>();
    while (claimed.size() < maxJobs) {
      Optional<ProcessingJob> job = queue.claim(settings.workerId());
      if (job.isEmpty()) {
        break;
      }
      claimed.add(job.get());
    }
    List<JobReport> reports = new ArrayList<>();
    Map<String, List<Prepared>> runs = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    for (ProcessingJob job : claimed) {
      try {
        Object p = prepare(job, t0);
        if (p instanceof JobReport r) {
          finish(reports, r);
        } else {
          Prepared pr = (Prepared) p;
          runs.computeIfAbsent(pr.model().name() + "\n" + pr.signature(), k -> new ArrayList<>()).add(pr);
        }
      } catch (RuntimeException | Error e) {
        finish(reports, failed(job, e, t0));
      }
    }
    for (List<Prepared> batch : runs.values()) {
      try {
        for (JobReport r : runBatch(batch)) {
          finish(reports, r);
        }
      } catch (RuntimeException | Error e) {
        // Anything unexpected (bad model file, database trouble) fails this run's jobs only.
        for (Prepared pr : batch) {
          finish(reports, failed(pr.job(), e, pr.t0()));
        }
      }
    }
    return reports;
  }

  private void finish(List<JobReport> reports, JobReport r) {
    reports.add(r);
    listener.finished(r);
  }

  private JobReport failed(ProcessingJob job, Throwable e, long t0) {
    String msg = readable(e);
    LOG.warn("Job {} failed: {}", job.id(), msg, e);
    queue.fail(job.id(), settings.workerId(), msg);
    return new JobReport(job.id(), job.audioFileId(), Outcome.FAILED, 0, null, msg, since(t0));
  }

  /** A claimed job ready to run. */
  private record Prepared(ProcessingJob job, AudioFile audio, ModelRecord model, FrontEndConfig frontEnd,
      String signature, Path audioPath, long total, long t0) {}

  /** The job resolved to its inputs, or its report when it needs no run (already encoded: skipped). */
  private Object prepare(ProcessingJob job, long t0) {
    AudioFile audio = db.dao(AudioFileDao.class).findById(job.audioFileId())
        .orElseThrow(() -> new IllegalStateException("Audio file " + job.audioFileId() + " is not in the registry"));
    // The rule the job was queued by (the model may have been deleted since: the job then fails with the reason).
    ModelRecord model = EncodingRequests.model(db, job.modelVersion());
    FrontEndConfig frontEnd = EncodingJobs.frontEnd(model, job.featureConfig(), job.windowSizeSeconds(), job.targetSampleRate());
    String signature = EncodingJobs.signature(model, frontEnd);
    if (job.encodingSignature() != null && !job.encodingSignature().equals(signature)) {
      // The model file or settings changed since the job was queued: the output carries what was computed.
      LOG.info("Job {}: signature {} differs from the queued {}; using the current one", job.id(), signature, job.encodingSignature());
    }
    Optional<EmbeddingSet> existing = db.dao(EmbeddingSetDao.class).findByAudioFileAndSignature(audio.id(), signature);
    // Reused only when its file opens with this encoding's footer: a missing or corrupt file is encoded again.
    Optional<String> unusable = existing.map(e -> EmbeddingParquet.problem(e.parquetPath(), signature)
        .orElse(null));
    unusable.ifPresent(why -> LOG.warn("Job {}: re-encoding embedding set {}: {}", job.id(), existing.get().id(), why));
    if (existing.isPresent() && unusable.isEmpty()) {
      JobQueue.Finish end = queue.finish(job.id(), settings.workerId(),
          h -> h.attach(ProcessingJobDao.class).markSkipped(job.id(), Timestamps.now()));
      if (end != JobQueue.Finish.COMPLETED) {
        return ended(job, end, 0, null, t0);
      }
      return new JobReport(job.id(), audio.id(), Outcome.SKIPPED, existing.get().rowCount() == null ? 0 : existing.get().rowCount(),
          existing.get().parquetPath(), null, since(t0));
    }
    Path audioPath = resolve(audio.storedPath() != null ? audio.storedPath() : audio.folderPath() + "/" + audio.filename());
    long total = audio.durationSeconds() == null ? 0
        : WindowPlan.of(Math.round(audio.durationSeconds() * frontEnd.sampleRate()), frontEnd).count();
    return new Prepared(job, audio, model, frontEnd, signature, audioPath, total, t0);
  }

  /** One pipeline for jobs of one model and front end; heartbeats every job while it runs. */
  private List<JobReport> runBatch(List<Prepared> batch) {
    Prepared first = batch.get(0);
    ModelConfig modelConfig = EncodingJobs.modelConfig(first.model(), settings.modelThreads(), settings.batchSize());
    Map<String, String> sha = new LinkedHashMap<>();
    List<EncodingPipeline.Input> inputs = new ArrayList<>();
    long total = 0;
    for (Prepared pr : batch) {
      sha.put(pr.audio().id(), pr.audio().checksumSha256());
      inputs.add(new EncodingPipeline.Input(pr.audio().id(), pr.audioPath().toString(), pr.audio().checksumSha256()));
      total += pr.total();
      listener.started(pr.job(), pr.total());
    }
    EncodingSpec spec = new EncodingSpec(first.model().name(), first.model().name(), modelConfig, first.frontEnd(),
        first.signature(), storageRoot.resolve("embeddings").toString(), sha);
    EncodingOptions options = EncodingPipeline.options(settings.runner(), settings.flinkMaster(), settings.parallelism(),
        settings.enforceChecks());
    options.setBatchSize(settings.batchSize());
    options.setModelThreads(settings.modelThreads());
    options.setJobName("encode-" + first.job().id() + (batch.size() > 1 ? "-and-" + (batch.size() - 1) : ""));
    Path runDir = Leftovers.runDir(storageRoot, first.job());
    EncodingPipeline.Run run = EncodingPipeline.start(options, spec, inputs, runDir);
    Map<String, JobQueue.Heartbeat> last = watch(batch, run, total);
    EncodingPipeline.Result result = run.await();
    try {
      List<JobReport> reports = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        reports.add(record(batch.get(i), last.get(batch.get(i).job().id()), result, result.files().get(i), run));
      }
      return reports;
    } finally {
      run.deleteRunDir();
    }
  }

  /**
   * Heartbeats every job of the run until it ends, with the run's progress (Beam's windows_embedded
   * counter) shared out by each job's expected windows. A job cancelled or lost on the way is left
   * to finish with the run and handled after it; when every job is, the run is cancelled.
   */
  private Map<String, JobQueue.Heartbeat> watch(List<Prepared> batch, EncodingPipeline.Run run, long total) {
    Map<String, JobQueue.Heartbeat> last = new LinkedHashMap<>();
    batch.forEach(pr -> last.put(pr.job().id(), JobQueue.Heartbeat.OWNED));
    long intervalNs = settings.heartbeatInterval().toNanos();
    long t0 = batch.get(0).t0();
    long nextBeat = System.nanoTime() + intervalNs;
    while (!run.isDone()) {
      try {
        // Short sleeps so a finished run is noticed quickly; one heartbeat per interval.
        Thread.sleep(Math.min(settings.heartbeatInterval().toMillis(), 100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        run.cancel();
        batch.forEach(pr -> last.put(pr.job().id(), JobQueue.Heartbeat.CANCEL_REQUESTED));
        return last;
      }
      if (System.nanoTime() < nextBeat) {
        continue;
      }
      nextBeat = System.nanoTime() + intervalNs;
      long done = run.windowsEmbedded();
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (Prepared pr : batch) {
        if (last.get(pr.job().id()) != JobQueue.Heartbeat.OWNED) {
          continue;
        }
        long mine = total > 0 ? Math.min(pr.total(), Math.round((double) done * pr.total() / total)) : done;
        double perSecond = seconds > 0 ? mine / seconds : 0;
        try {
          last.put(pr.job().id(), queue.progress(pr.job().id(), settings.workerId(), mine,
              pr.total() > 0 ? Math.max(pr.total(), mine) : null, perSecond));
        } catch (RuntimeException e) {
          LOG.warn("Heartbeat for job {} failed (will retry): {}", pr.job().id(), e.toString());
          continue;
        }
        listener.progress(pr.job(), mine, pr.total(), perSecond);
      }
      if (last.values().stream().noneMatch(h -> h == JobQueue.Heartbeat.OWNED)) {
        run.cancel();
        return last;
      }
    }
    return last;
  }

  /** Records one job's outcome in the registry. */
  private JobReport record(Prepared pr, JobQueue.Heartbeat last, EncodingPipeline.Result result, FileResult fr,
      EncodingPipeline.Run run) {
    ProcessingJob job = pr.job();
    AudioFile audio = pr.audio();
    long t0 = pr.t0();
    if (last == JobQueue.Heartbeat.LOST) {
      // Another worker owns the job now and may be writing the same file: touch nothing of its.
      return new JobReport(job.id(), audio.id(), Outcome.LOST, 0, null, "job lost (requeued after a stale heartbeat)", since(t0));
    }
    if (last == JobQueue.Heartbeat.CANCEL_REQUESTED || result.state() == PipelineResult.State.CANCELLED) {
      run.discardOutput(audio.id());
      queue.acknowledgeCancel(job.id(), settings.workerId());
      return new JobReport(job.id(), audio.id(), Outcome.CANCELED, 0, null, "canceled", since(t0));
    }
    if (!fr.isOk()) {
      String msg = "Encoding " + audio.filename() + " failed (" + fr.errorReason() + "): " + fr.errorMessage();
      queue.fail(job.id(), settings.workerId(), msg);
      return new JobReport(job.id(), audio.id(), Outcome.FAILED, 0, null, msg, since(t0));
    }
    EmbeddingSet set = new EmbeddingSet(Ids.newId(), audio.id(), pr.signature(), pr.model().name(),
        pr.frontEnd().windowSeconds(), pr.frontEnd().sampleRate(), fr.vectorDim(), fr.parquetPath(), fr.windows(),
        Timestamps.now());
    queue.progress(job.id(), settings.workerId(), fr.windows(), fr.windows(),
        fr.windows() / Math.max(1e-9, result.elapsed().toNanos() / 1e9));
    // The set row and the completion in one transaction that a cancel request (the API's, any time
    // until now) turns into a cancel: then the file just written is removed and no row points at it.
    JobQueue.Finish end = queue.finish(job.id(), settings.workerId(), h -> insertOrReplace(h.attach(EmbeddingSetDao.class), set));
    if (end == JobQueue.Finish.CANCELED) {
      run.discardOutput(audio.id());
    }
    if (end != JobQueue.Finish.COMPLETED) {
      return ended(job, end, fr.windows(), fr.parquetPath(), t0);
    }
    return new JobReport(job.id(), audio.id(), Outcome.COMPLETED, fr.windows(), fr.parquetPath(), null, since(t0));
  }

  /** The report of a job that {@link JobQueue#finish} did not complete. */
  private static JobReport ended(ProcessingJob job, JobQueue.Finish end, long windows, String parquetPath, long t0) {
    return end == JobQueue.Finish.CANCELED
        ? new JobReport(job.id(), job.audioFileId(), Outcome.CANCELED, 0, null, "canceled", since(t0))
        : new JobReport(job.id(), job.audioFileId(), Outcome.LOST, windows, parquetPath, "job lost before completion", since(t0));
  }

  private static void insertOrReplace(EmbeddingSetDao dao, EmbeddingSet set) {
    Optional<EmbeddingSet> old = dao.findByAudioFileAndSignature(set.audioFileId(), set.encodingSignature());
    if (old.isPresent()) {
      // The row existed but its file was gone (deleted by hand): the rewritten file takes its place.
      dao.updateRowCount(old.get().id(), set.rowCount());
      return;
    }
    dao.insert(set);
  }

  private Path resolve(String stored) {
    Path p = Path.of(stored);
    return p.isAbsolute() ? p : home.resolve(p);
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static String readable(Throwable e) {
    String m = e.getMessage();
    return (m == null || m.isBlank()) ? EncodingPipeline.rootMessage(e) : m;
  }
}
