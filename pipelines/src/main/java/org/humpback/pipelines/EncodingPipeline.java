package org.humpback.pipelines;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.humpback.pipelines.flink.SharedMiniCluster;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoding pipeline. By default (fused stages): each file's time shards are planned here →
 * {@code AudioIO.readShards} hands shards to workers as they free up → {@link EncodeShards} decodes,
 * windows, computes features and runs the model on a shard, writing its vectors to the shard's
 * {@link EmbeddingPart} → {@link WriteEmbeddings} joins each file's parts into its Parquet file. With
 * {@code --fuseStages=false} the separate transforms run instead: AudioIO → Features → Inference →
 * WriteEmbeddings. A file that fails at any stage becomes a {@link FileResult} with its reason and
 * message; the other files go on.
 *
 * <p>Counters (namespace {@code EncodingPipeline}): {@code windows_embedded} (progress while running);
 * {@link WriteEmbeddings} adds {@code windows_written}, {@code files_ok}, {@code files_failed_<reason>}.
 */
public final class EncodingPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(EncodingPipeline.class);

  /**
   * File in the run folder whose presence stops a run: the Flink runner's in-process batch run()
   * returns no handle to cancel until it ends, so the pipeline itself checks for this marker.
   */
  static final String CANCEL_MARKER = "CANCEL";

  /**
   * System property: {@code true} gives every {@code [local]} Flink run its own mini cluster (Beam's
   * behaviour) instead of the JVM's shared one.
   */
  public static final String PER_RUN_FLINK_CLUSTER = "humpback.flink.perRunCluster";

  private EncodingPipeline() {}

  /** One audio file to encode. */
  public record Input(String audioFileId, String path, String audioSha256) implements Serializable {
    public Input {
      if (audioFileId == null || audioFileId.isBlank()) {
        throw new IllegalArgumentException("Invalid audio_file_id: '" + audioFileId + "'");
      }
      if (path == null || path.isBlank()) {
        throw new IllegalArgumentException("Invalid audio path for " + audioFileId + ": '" + path + "'");
      }
    }
  }

  /** What a whole run produced. */
  public record Result(PipelineResult.State state, List<FileResult> files, Duration elapsed) {
    public long windows() {
      return files.stream().mapToLong(FileResult::windows).sum();
    }

    public boolean allOk() {
      return files.stream().allMatch(FileResult::isOk);
    }
  }

  /**
   * Gets the runner a process will use ready before its first job: for Flink {@code [local]} the
   * JVM's shared mini cluster starts now, in the background (about 1 s: actor systems, task
   * manager, dispatcher), while the caller imports files or waits for the queue, instead of on the
   * first job's critical path. When the pipeline will run in this JVM (direct, Flink {@code [local]}),
   * one-time work that needs no job yet (native libraries, the Parquet writer, Beam's options
   * serialization) is done in the background too ({@link WarmUp}).
   * Same arguments as {@link #options}.
   */
  public static void prepareRunner(String runner, String flinkMaster, Integer parallelism) {
    String r = runnerKey(runner);
    boolean flink = r.equals("flink") || r.equals("flinkrunner");
    if (flink && usesSharedMiniCluster(masterOrLocal(flinkMaster)) && (parallelism == null || parallelism >= 1)) {
      installSharedMiniCluster(parallelism);
    }
    if (!flink || masterOrLocal(flinkMaster).equals("[local]")) { // the pipeline will run in this JVM
      WarmUp.startCommon(() -> options(runner, flinkMaster, parallelism, false));
    }
  }

  /** The runner name as {@link #options} matches it. */
  private static String runnerKey(String runner) {
    return runner == null ? "direct" : runner.trim().toLowerCase(java.util.Locale.ROOT);
  }

  private static String masterOrLocal(String flinkMaster) {
    return flinkMaster == null || flinkMaster.isBlank() ? "[local]" : flinkMaster;
  }

  private static boolean usesSharedMiniCluster(String flinkMaster) {
    return flinkMaster.equals("[local]") && !Boolean.getBoolean(PER_RUN_FLINK_CLUSTER);
  }

  /** Starts (or joins) the JVM's shared mini cluster; returns the parallelism, [local]'s default when null. */
  private static int installSharedMiniCluster(Integer parallelism) {
    int p = parallelism != null ? parallelism : Runtime.getRuntime().availableProcessors();
    SharedMiniCluster.install(p);
    return p;
  }

  /**
   * Options from the command line's short forms.
   *
   * @param runner {@code direct} or {@code flink} (case-insensitive; Beam's class names work too)
   * @param flinkMaster {@code [local]} or {@code host:port}; ignored for direct
   * @param parallelism Flink parallelism / direct target parallelism; {@code null} = runner default
   * @param enforceChecks keep the direct runner's immutability/encodability checks (tests: on; launches: off)
   */
  public static EncodingOptions options(String runner, String flinkMaster, Integer parallelism, boolean enforceChecks) {
    EncodingOptions o = PipelineOptionsFactory.as(EncodingOptions.class);
    switch (runnerKey(runner)) {
      case "direct", "directrunner" -> o.setRunner(DirectRunner.class);
      case "flink", "flinkrunner" -> {
        o.setRunner(FlinkRunner.class);
        String master = masterOrLocal(flinkMaster);
        o.setFlinkMaster(master);
        if (usesSharedMiniCluster(master)) {
          // One mini cluster per JVM instead of one per run (see SharedMiniCluster).
          o.setParallelism(installSharedMiniCluster(parallelism));
          o.setFlinkMaster("[auto]");
        }
      }
      default -> throw new IllegalArgumentException("Invalid runner: '" + runner + "' (expected direct or flink)");
    }
    if (parallelism != null) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("Invalid parallelism: " + parallelism + " (expected >= 1)");
      }
      o.setParallelism(parallelism);
      o.setTargetParallelism(parallelism);
    } else {
      // One worker thread (and one model instance, fused stages) per core. The direct runner's own
      // default, max(cores, 3), puts three model instances on a 2-core machine: measured 8 % slower
      // and 20-60 MB more RSS on the 1-h benchmark file.
      o.setTargetParallelism(Runtime.getRuntime().availableProcessors());
    }
    o.setEnforceImmutability(enforceChecks);
    o.setEnforceEncodability(enforceChecks);
    return o;
  }

  /**
   * Shard length for a file of {@code durationSeconds}: a sixteenth of the file, between 30 s and
   * {@code maxShardSeconds}. Short files still spread over several workers, and progress (which a
   * runner reports per finished shard) moves in small steps, so a cancel lands early, while long files keep
   * long shards (each shard re-opens the decoder; MP3 is demuxed from the start up to it). It
   * depends on the file only, not on the machine, so a file is always cut the same way.
   */
  public static double shardSeconds(double durationSeconds, double maxShardSeconds) {
    if (!(durationSeconds > 0) || !Double.isFinite(durationSeconds)) {
      return maxShardSeconds;
    }
    return Math.min(maxShardSeconds, Math.max(30.0, Math.ceil(durationSeconds / 16)));
  }

  /** Builds the pipeline; results land as JSON in {@code resultDir} (see {@link ResultFiles}). */
  public static Pipeline build(EncodingOptions options, EncodingSpec spec, List<Input> inputs, Path resultDir) {
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("Invalid inputs: no audio files to encode");
    }
    Set<String> ids = new HashSet<>();
    Map<String, String> paths = new LinkedHashMap<>();
    for (Input in : inputs) {
      if (!ids.add(in.audioFileId())) {
        throw new IllegalArgumentException("Invalid inputs: audio_file_id " + in.audioFileId() + " listed twice");
      }
      paths.put(in.audioFileId(), in.path());
    }
    Pipeline p = Pipeline.create(options);
    PCollection<KV<String, String>> files = p.apply("AudioFiles",
        Create.of(paths).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
    String cancelMarker = cancelMarker(resultDir.toAbsolutePath().getParent());
    Stages s = Stages.apply(files, paths, spec, options, cancelMarker);
    PCollectionTuple toWrite = PCollectionTuple.of(WriteEmbeddings.FILES, files)
        .and(WriteEmbeddings.FAILURES, PCollectionList.of(s.failures()).apply("AllFailures",
            org.apache.beam.sdk.transforms.Flatten.pCollections()));
    if (s.windows() != null) {
      toWrite = toWrite.and(WriteEmbeddings.WINDOWS,
          s.windows().apply("CountEmbedded", ParDo.of(new CountFn(cancelMarker))));
    }
    if (s.parts() != null) {
      toWrite = toWrite.and(WriteEmbeddings.PARTS, s.parts()); // counted as they are made (EncodeShards)
    }
    toWrite.apply("WriteEmbeddings", WriteEmbeddings.of(spec))
        .apply("RecordResults", ResultFiles.to(resultDir));
    return p;
  }

  /** The cancel marker of the run in {@code runDir}: its absolute path, which also keys the run's progress. */
  static String cancelMarker(Path runDir) {
    return runDir.toAbsolutePath().resolve(CANCEL_MARKER).toString();
  }

  /** Builds and starts a run; the caller polls it, may cancel it, and awaits its result. */
  public static Run start(EncodingOptions options, EncodingSpec spec, List<Input> inputs, Path runDir) {
    List<String> ids = inputs.stream().map(Input::audioFileId).toList();
    Path resultDir = runDir.resolve("results");
    deleteTree(resultDir); // results of an earlier run in the same folder must never pass for this run's
    deleteTree(ShardProgress.dir(cancelMarker(runDir))); // nor its progress
    for (Input in : inputs) {
      EmbeddingPart.clean(spec.parquetPath(in.audioFileId())); // parts a crashed run left behind
    }
    try {
      Files.deleteIfExists(runDir.resolve(CANCEL_MARKER));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clear the cancel marker in " + runDir, e);
    }
    Pipeline p = build(options, spec, inputs, resultDir);
    WarmUp.start(p);
    options.setBlockOnRun(false); // direct: run() returns at once so the run can be polled and cancelled
    return new Run(p, spec, ids, runDir, resultDir);
  }

  /** Builds, runs and waits. */
  public static Result run(EncodingOptions options, EncodingSpec spec, List<Input> inputs, Path runDir) {
    return start(options, spec, inputs, runDir).await();
  }

  /** A started run (see {@link LaunchedPipeline}). */
  public static final class Run {
    private final EncodingSpec spec;
    private final List<String> audioFileIds;
    private final Path runDir;
    private final Path resultDir;
    private final long startNanos = System.nanoTime();
    private final LaunchedPipeline launched;
    private volatile boolean cancelRequested;

    private Run(Pipeline p, EncodingSpec spec, List<String> audioFileIds, Path runDir, Path resultDir) {
      this.spec = spec;
      this.audioFileIds = List.copyOf(audioFileIds);
      this.runDir = runDir;
      this.resultDir = resultDir;
      this.launched = new LaunchedPipeline(p, "encoding-pipeline-launcher");
    }

    /**
     * Windows through inference so far, live on every runner: counted per batch by workers in this
     * JVM ({@link LiveProgress}), per shard in the run folder by workers anywhere ({@link ShardProgress}),
     * and by the runner's counter once it reports.
     */
    public long windowsEmbedded() {
      long live = Math.max(LiveProgress.get(cancelMarker()), ShardProgress.total(cancelMarker()));
      return Math.max(live, launched.counter(EncodingPipeline.class, "windows_embedded"));
    }

    /** The run's cancel marker path, which also keys its {@link LiveProgress}. */
    private String cancelMarker() {
      return EncodingPipeline.cancelMarker(runDir);
    }

    public boolean isDone() {
      return launched.isDone();
    }

    /**
     * Asks the run to stop: the direct runner's result is cancelled; every runner also sees the
     * run folder's cancel marker at its next embedded window and fails fast. Output already written
     * is removed by {@link #discardOutput()}.
     */
    public void cancel() {
      cancelRequested = true;
      try {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve(CANCEL_MARKER), "cancel requested");
      } catch (IOException e) {
        LOG.warn("Cannot write the cancel marker in {}: {}", runDir, e.toString());
      }
      launched.cancel();
    }

    public boolean cancelRequested() {
      return cancelRequested;
    }

    /** Waits for the end and collects one result per input file. */
    public Result await() {
      PipelineResult.State state;
      try {
        state = launched.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel();
        state = PipelineResult.State.CANCELLED;
      }
      if (cancelRequested) {
        state = PipelineResult.State.CANCELLED;
      }
      LiveProgress.forget(cancelMarker());
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      Map<String, FileResult> byId = new LinkedHashMap<>();
      for (FileResult fr : ResultFiles.read(resultDir)) {
        byId.put(fr.audioFileId(), fr);
      }
      List<FileResult> out = new ArrayList<>();
      Throwable t = launched.failure();
      for (String id : audioFileIds) {
        FileResult fr = byId.get(id);
        if (fr == null) {
          String why = state == PipelineResult.State.CANCELLED ? "canceled"
              : t != null ? "The encoding pipeline failed: " + rootMessage(t) : "The encoding pipeline ended in state " + state;
          fr = FileResult.failed(new FileFailure(id, state == PipelineResult.State.CANCELLED ? "canceled" : "pipeline", why));
        }
        out.add(fr);
      }
      if (t != null) {
        LOG.warn("Encoding pipeline failed", t);
      }
      return new Result(state, out, elapsed);
    }

    /** Deletes what this run wrote (Parquet files and temps) and its run directory: used on cancel. */
    public void discardOutput() {
      if (!LiveProgress.awaitNoShards(cancelMarker(), 30_000)) {
        LOG.warn("Shards of a cancelled run are still running after 30 s; discarding its output anyway");
      }
      for (String id : audioFileIds) {
        Path target = spec.parquetPath(id);
        EmbeddingParquet.cleanTemps(target);
        EmbeddingPart.clean(target);
        try {
          Files.deleteIfExists(target);
        } catch (IOException e) {
          LOG.warn("Cannot delete {}: {}", target, e.toString());
        }
      }
      deleteRunDir();
    }

    /** Removes the run's scratch directory (results JSON). */
    public void deleteRunDir() {
      deleteTree(runDir);
    }
  }

  static String rootMessage(Throwable t) {
    Throwable c = LaunchedPipeline.rootCause(t);
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }

  /** Counts windows through inference (the progress figure) and stops the run once its cancel marker exists. */
  static final class CountFn extends DoFn<EmbeddedWindow, EmbeddedWindow> {
    private final String cancelMarker;
    private final Counter embedded = Metrics.counter(EncodingPipeline.class, "windows_embedded");
    private transient long nextCheckNanos;

    CountFn(String cancelMarker) {
      this.cancelMarker = cancelMarker;
    }

    @ProcessElement
    public void process(@Element EmbeddedWindow w, OutputReceiver<EmbeddedWindow> out) {
      long now = System.nanoTime();
      if (now >= nextCheckNanos) {
        nextCheckNanos = now + 100_000_000L; // a file-system check at most every 100 ms
        if (Files.exists(Path.of(cancelMarker))) {
          throw new CancellationException("Encoding run cancelled");
        }
      }
      embedded.inc();
      out.output(w);
    }
  }
}
