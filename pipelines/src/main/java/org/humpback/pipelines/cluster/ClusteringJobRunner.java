package org.humpback.pipelines.cluster;


import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.humpback.pipelines.EncodingPipeline;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.RunWatcher;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs clustering jobs from the registry's {@code clustering_jobs} queue, one at a time, as one worker.
 *
 * <p>For each claimed job: parse the parameters, check the selection (known sets, one vector_dim, one model, each
 * Parquet file present with a footer agreeing with the registry), collect each set's audio metadata, run the
 * {@link ClusteringPipeline} while heartbeating (progress = windows read / rows selected; a cancel request stops the
 * run), then in one transaction replace the job's {@code clusters} and {@code cluster_assignments} rows with those of
 * the written files and store the metrics JSON, and complete the job. Any failure fails this job only, with a readable
 * message; a retried job replaces what an earlier attempt wrote.
 */
public final class ClusteringJobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteringJobRunner.class);
  private static final int INSERT_BATCH = 5_000;

  /** How one job ended. */
  public enum Outcome { COMPLETED, FAILED, CANCELED, LOST }

  /**
   * What running one job did.
   *
   * @param metrics the stored metrics JSON (null unless completed)
   * @param clusters the stored cluster rows, by label (empty unless completed)
   */
  public record Report(String jobId, Outcome outcome, JsonNode metrics, List<Cluster> clusters, String error,
                       Duration elapsed) {}

  private final Database db;
  private final JobQueue<ClusteringJob> queue;
  private final Path storageRoot;
  private final JobRunner.Settings settings;
  private final Reductions reductions;

  /**
   * @param storageRoot HUMPBACK_STORAGE_ROOT (data/): outputs go to {@code clusters/{job_id}/}
   * @param settings worker id, runner, heartbeat interval (the model fields are unused here)
   */
  public ClusteringJobRunner(Database db, Path storageRoot, JobRunner.Settings settings) {
    this(db, storageRoot, settings, Reductions.standard());
  }

  public ClusteringJobRunner(Database db, Path storageRoot, JobRunner.Settings settings, Reductions reductions) {
    this.db = db;
    this.queue = JobQueue.clustering(db.jdbi());
    this.storageRoot = storageRoot.toAbsolutePath().normalize();
    this.settings = settings;
    this.reductions = reductions;
  }

  public JobQueue<ClusteringJob> queue() {
    return queue;
  }

  /** Claims and runs one clustering job; empty when none was claimable. */
  public Optional<Report> runNext() {
    return queue.claim(settings.workerId()).map(this::runClaimed);
  }

  /** Runs jobs until the queue has none claimable; returns their reports. */
  public List<Report> drain() {
    List<Report> out = new ArrayList<>();
    Optional<Report> r;
    while ((r = runNext()).isPresent()) {
      out.add(r.get());
    }
    return out;
  }

  private Report runClaimed(ClusteringJob job) {
    long t0 = System.nanoTime();
    try {
      return run(job, t0);
    } catch (RuntimeException | Error e) {
      String msg = ClusteringPipeline.rootMessage(e);
      if ((e instanceof IllegalArgumentException || e instanceof Refusal) && e.getMessage() != null) {
        msg = e.getMessage();
      }
      LOG.warn("Clustering job {} failed: {}", job.id(), msg, e);
      queue.fail(job.id(), settings.workerId(), msg);
      return new Report(job.id(), Outcome.FAILED, null, List.of(), msg, since(t0));
    }
  }

  private Report run(ClusteringJob job, long t0) {
    ClusteringParameters params = ClusteringParameters.parse(job.parameters());
    List<EmbeddingSet> sets = ClusteringJobs.validateSelection(db, job.embeddingSetIdList());
    List<ClusteringSpec.SetInput> inputs = new ArrayList<>();
    Map<String, Map<String, String>> metadata = new LinkedHashMap<>();
    AudioMetadataDao mdDao = db.dao(AudioMetadataDao.class);
    long total = 0;
    for (EmbeddingSet s : sets) {
      Path file = Path.of(s.parquetPath());
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("Embedding file of set " + s.id() + " is missing: " + file);
      }
      EmbeddingParquet.Metadata footer = EmbeddingParquet.readMetadata(file.toString());
      if (footer.vectorDim() != s.vectorDim()) {
        throw new IllegalArgumentException("Embedding file " + file + " has vector_dim " + footer.vectorDim()
            + " but embedding set " + s.id() + " is registered with " + s.vectorDim());
      }
      inputs.add(new ClusteringSpec.SetInput(s.id(), file.toString(), s.rowCount() == null ? -1 : s.rowCount()));
      metadata.put(s.id(), MetadataSummaries.flatten(mdDao.findByAudioFileId(s.audioFileId()).orElse(null)));
      total += s.rowCount() == null ? 0 : s.rowCount();
    }
    Path outDir = ClusterOutputs.jobDir(storageRoot.resolve("clusters"), job.id());
    ClusterOutputs.clear(outDir.toString());
    ClusteringSpec spec = new ClusteringSpec(job.id(), inputs, sets.get(0).modelVersion(), sets.get(0).vectorDim(),
        params, outDir.toString(), metadata, reductions);

    org.apache.beam.sdk.options.PipelineOptions options = EncodingPipeline.options(settings.runner(),
        settings.flinkMaster(), settings.parallelism(), settings.enforceChecks());
    options.setJobName("cluster-" + job.id());
    ClusteringPipeline.Run run = ClusteringPipeline.start(options, spec);
    JobQueue.Heartbeat last = RunWatcher.watch(queue, job.id(), settings.workerId(), settings.heartbeatInterval(),
        new RunWatcher.WatchedRun() {
          @Override public boolean isDone() { return run.isDone(); }
          @Override public void cancel() { run.cancel(); }
          @Override public long done() { return run.windowsRead(); }
        },
        total, t0, (done, all, rate) -> { });
    PipelineResult.State state = run.await();
    if (last == JobQueue.Heartbeat.LOST) {
      return new Report(job.id(), Outcome.LOST, null, List.of(), "job lost (requeued after a stale heartbeat)", since(t0));
    }
    if (last == JobQueue.Heartbeat.CANCEL_REQUESTED || state == PipelineResult.State.CANCELLED) {
      ClusterOutputs.clear(outDir.toString());
      queue.acknowledgeCancel(job.id(), settings.workerId());
      return new Report(job.id(), Outcome.CANCELED, null, List.of(), "canceled", since(t0));
    }
    if (!ClusterOutputs.exists(spec.clustersJson())) {
      throw new IllegalArgumentException("Nothing to cluster: the selected embedding sets hold no vectors");
    }

    JsonNode file = ClusterOutputs.readJson(spec.clustersJson());
    List<Cluster> clusters = new ArrayList<>();
    for (JsonNode c : file.get("clusters")) {
      clusters.add(new Cluster(c.get("id").asText(), job.id(), c.get("cluster_label").asInt(), c.get("size").asInt(),
          c.get("metadata_summary").toString()));
    }
    JsonNode metrics = file.get("metrics");
    queue.progress(job.id(), settings.workerId(), total, total, null);
    // The rows and the completion in one transaction, which a cancel requested until now turns into a cancel.
    JobQueue.Finish end = queue.finish(job.id(), settings.workerId(), h -> {
      ClusterDao clusterDao = h.attach(ClusterDao.class);
      clusterDao.deleteByJob(job.id());
      clusterDao.insertAll(clusters);
      ClusterAssignmentDao assignmentDao = h.attach(ClusterAssignmentDao.class);
      List<ClusterAssignment> batch = new ArrayList<>(INSERT_BATCH);
      // Streamed file by file: a job's rows are never all in memory.
      ClusterOutputs.forEachAssignment(spec.outputDir(), r -> {
        batch.add(new ClusterAssignment(Ids.newId(), r.clusterId(), r.embeddingSetId(), r.embeddingRowIndex(),
            r.startS(), r.endS(), r.umapX(), r.umapY()));
        if (batch.size() == INSERT_BATCH) {
          assignmentDao.insertAll(batch);
          batch.clear();
        }
      });
      if (!batch.isEmpty()) {
        assignmentDao.insertAll(batch);
      }
      h.attach(ClusteringJobDao.class).updateMetrics(job.id(), metrics.toString(), Timestamps.now());
    });
    if (end == JobQueue.Finish.CANCELED) {
      ClusterOutputs.clear(outDir.toString());
      return new Report(job.id(), Outcome.CANCELED, null, List.of(), "canceled", since(t0));
    }
    if (end == JobQueue.Finish.LOST) {
      return new Report(job.id(), Outcome.LOST, metrics, clusters, "job lost before completion", since(t0));
    }
    return new Report(job.id(), Outcome.COMPLETED, metrics, clusters, null, since(t0));
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
