package org.humpback.pipelines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.WindowPlan;
import org.humpback.transforms.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processing jobs from the registry's queue, one at a time, as one worker.
 *
 * <p>For each claimed job: resolve the audio file and model, compute the encoding signature; when an
 * embedding set with that (audio file, signature) exists, complete at once as skipped; otherwise run
 * the {@link EncodingPipeline} while a heartbeat thread reports progress (windows done / windows
 * expected from the file's duration, windows/s) and watches for cancellation; then insert the
 * embedding set and complete, or fail the job with a readable message. A failure never stops the
 * runner: the next job is taken.
 */
public final class JobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  /**
   * @param workerId this worker's name in the job table
   * @param runner {@code direct} or {@code flink}
   * @param flinkMaster for flink: {@code [local]} or {@code host:port}
   * @param parallelism runner parallelism, {@code null} = its default
   * @param heartbeatInterval how often progress is reported (must be well under the stale threshold)
   * @param modelThreads intra-op threads of the model runtime, 0 = default
   * @param batchSize windows per model call
   * @param enforceChecks the direct runner's immutability/encodability checks (tests only)
   */
  public record Settings(String workerId, String runner, String flinkMaster, Integer parallelism,
      Duration heartbeatInterval, int modelThreads, int batchSize, boolean enforceChecks) {

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
    }

    public static Settings defaults(String workerId) {
      return new Settings(workerId, "direct", null, null, Duration.ofSeconds(5), 0, 16, false);
    }

    public Settings withRunner(String runner, String flinkMaster, Integer parallelism) {
      return new Settings(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks);
    }

    public Settings withHeartbeatInterval(Duration v) {
      return new Settings(workerId, runner, flinkMaster, parallelism, v, modelThreads, batchSize, enforceChecks);
    }

    public Settings withEnforceChecks(boolean v) {
      return new Settings(workerId, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, v);
    }

    public Settings withWorkerId(String v) {
      return new Settings(v, runner, flinkMaster, parallelism, heartbeatInterval, modelThreads, batchSize, enforceChecks);
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
    EncodingPipeline.prepareRunner(settings.runner(), settings.flinkMaster(), settings.parallelism());
  }

  public Settings settings() {
    return settings;
  }

  /** Claims and runs one job; empty when the queue had nothing claimable. */
  public Optional<JobReport> runNext() {
    Optional<ProcessingJob> claimed = queue.claim(settings.workerId());
    return claimed.map(this::runClaimed);
  }

  private JobReport runClaimed(ProcessingJob job) {
    long t0 = System.nanoTime();
    JobReport report;
    try {
      report = run(job, t0);
    } catch (RuntimeException | Error e) {
      // Anything unexpected (bad model file, bad config JSON, database trouble) fails this job only.
      String msg = readable(e);
      LOG.warn("Job {} failed: {}", job.id(), msg, e);
      queue.fail(job.id(), settings.workerId(), msg);
      report = new JobReport(job.id(), job.audioFileId(), Outcome.FAILED, 0, null, msg, since(t0));
    }
    listener.finished(report);
    return report;
  }

  private JobReport run(ProcessingJob job, long t0) {
    AudioFile audio = db.dao(AudioFileDao.class).findById(job.audioFileId())
        .orElseThrow(() -> new IllegalStateException("Audio file " + job.audioFileId() + " is not in the registry"));
    ModelRecord model = (job.modelVersion() == null
        ? db.dao(ModelDao.class).findDefault()
        : db.dao(ModelDao.class).findByName(job.modelVersion()))
        .orElseThrow(() -> new IllegalStateException(job.modelVersion() == null
            ? "No model given and no default model registered"
            : "Model '" + job.modelVersion() + "' is not registered"));
    FrontEndConfig frontEnd = EncodingJobs.frontEnd(model, job.featureConfig(), job.windowSizeSeconds(), job.targetSampleRate());
    String signature = EncodingJobs.signature(model, frontEnd);
    if (job.encodingSignature() != null && !job.encodingSignature().equals(signature)) {
      // The model file or settings changed since the job was queued: the output carries what was computed.
      LOG.info("Job {}: signature {} differs from the queued {}; using the current one", job.id(), signature, job.encodingSignature());
    }

    Optional<EmbeddingSet> existing = db.dao(EmbeddingSetDao.class).findByAudioFileAndSignature(audio.id(), signature);
    if (existing.isPresent() && Files.exists(Path.of(existing.get().parquetPath()))) {
      db.dao(ProcessingJobDao.class).markSkipped(job.id(), Timestamps.now());
      queue.complete(job.id(), settings.workerId());
      return new JobReport(job.id(), audio.id(), Outcome.SKIPPED, existing.get().rowCount() == null ? 0 : existing.get().rowCount(),
          existing.get().parquetPath(), null, since(t0));
    }

    Path audioPath = resolve(audio.storedPath() != null ? audio.storedPath() : audio.folderPath() + "/" + audio.filename());
    ModelConfig modelConfig = EncodingJobs.modelConfig(model, settings.modelThreads(), settings.batchSize());
    EncodingSpec spec = new EncodingSpec(model.name(), model.name(), modelConfig, frontEnd, signature,
        storageRoot.resolve("embeddings").toString(), Map.of(audio.id(), audio.checksumSha256()));
    long total = audio.durationSeconds() == null ? 0
        : WindowPlan.of(Math.round(audio.durationSeconds() * frontEnd.sampleRate()), frontEnd).count();
    listener.started(job, total);

    EncodingOptions options = EncodingPipeline.options(settings.runner(), settings.flinkMaster(), settings.parallelism(),
        settings.enforceChecks());
    options.setBatchSize(settings.batchSize());
    if (audio.durationSeconds() != null) {
      options.setMaxShardSeconds(EncodingPipeline.shardSeconds(audio.durationSeconds(), options.getMaxShardSeconds()));
    }
    options.setModelThreads(settings.modelThreads());
    options.setJobName("encode-" + job.id());
    Path runDir = storageRoot.resolve("tmp/runs/" + job.id() + "-" + UUID.randomUUID());
    EncodingPipeline.Run run = EncodingPipeline.start(options, spec,
        List.of(new EncodingPipeline.Input(audio.id(), audioPath.toString(), audio.checksumSha256())), runDir);

    JobQueue.Heartbeat last = RunWatcher.watch(queue, job.id(), settings.workerId(), settings.heartbeatInterval(),
        new RunWatcher.WatchedRun() {
          @Override public boolean isDone() { return run.isDone(); }
          @Override public void cancel() { run.cancel(); }
          @Override public long done() { return run.windowsEmbedded(); }
        },
        total, t0, (done, all, rate) -> listener.progress(job, done, all, rate));
    EncodingPipeline.Result result = run.await();
    try {
      if (last == JobQueue.Heartbeat.LOST) {
        // Another worker owns the job now and may be writing the same file: touch nothing of its.
        return new JobReport(job.id(), audio.id(), Outcome.LOST, 0, null, "job lost (requeued after a stale heartbeat)", since(t0));
      }
      if (last == JobQueue.Heartbeat.CANCEL_REQUESTED || result.state() == PipelineResult.State.CANCELLED) {
        run.discardOutput();
        queue.acknowledgeCancel(job.id(), settings.workerId());
        return new JobReport(job.id(), audio.id(), Outcome.CANCELED, 0, null, "canceled", since(t0));
      }
      FileResult fr = result.files().get(0);
      if (!fr.isOk()) {
        String msg = "Encoding " + audio.filename() + " failed (" + fr.errorReason() + "): " + fr.errorMessage();
        queue.fail(job.id(), settings.workerId(), msg);
        return new JobReport(job.id(), audio.id(), Outcome.FAILED, 0, null, msg, since(t0));
      }
      EmbeddingSet set = new EmbeddingSet(Ids.newId(), audio.id(), signature, model.name(), frontEnd.windowSeconds(),
          frontEnd.sampleRate(), fr.vectorDim(), fr.parquetPath(), fr.windows(), Timestamps.now());
      insertOrReplace(set);
      queue.progress(job.id(), settings.workerId(), fr.windows(), fr.windows(),
          fr.windows() / Math.max(1e-9, result.elapsed().toNanos() / 1e9));
      if (!queue.complete(job.id(), settings.workerId())) {
        return new JobReport(job.id(), audio.id(), Outcome.LOST, fr.windows(), fr.parquetPath(), "job lost before completion", since(t0));
      }
      return new JobReport(job.id(), audio.id(), Outcome.COMPLETED, fr.windows(), fr.parquetPath(), null, since(t0));
    } finally {
      run.deleteRunDir();
    }
  }

  private void insertOrReplace(EmbeddingSet set) {
    EmbeddingSetDao dao = db.dao(EmbeddingSetDao.class);
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
