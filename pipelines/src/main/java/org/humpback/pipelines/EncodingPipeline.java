package org.humpback.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.beam.EmbeddingParquetIO;
import org.humpback.transforms.beam.EncodingFailure;
import org.humpback.transforms.beam.HumpbackIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoding pipeline: one Beam run for a batch of audio files of one model and front end.
 *
 * <pre>
 *   AudioFiles (KV&lt;audio_file_id, path&gt;) → HumpbackIO.encode → EmbeddingParquetIO.write
 *                                          ↘ dead letters ↘        ↘ written files / failures
 *                                            Outcomes: one {@link FileResult} per file, as JSON lines
 * </pre>
 *
 * The run's output is its Parquet files and one outcome per file (written with {@link TextIO} next to
 * the run, read back by {@link Run#await}); progress is Beam's {@code humpback/windows_embedded}
 * counter ({@link PipelineResult#metrics()}); cancel is {@link PipelineResult#cancel()}. A file that
 * fails at any stage gets a {@link FileResult} with its reason ({@code decode}, {@code features},
 * {@code inference}, {@code no_windows}, {@code incomplete}, {@code write}; {@code pipeline} or
 * {@code canceled} when the run itself failed or was cancelled) and a readable message; the others go on.
 */
public final class EncodingPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(EncodingPipeline.class);
  private static final ObjectMapper JSON = new ObjectMapper();

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
  /** A run's end: its state, one result per input file, and whether a cancel was asked for after it had finished. */
  public record Result(PipelineResult.State state, List<FileResult> files, Duration elapsed, boolean cancelCameTooLate) {
    public long windows() {
      return files.stream().mapToLong(FileResult::windows).sum();
    }

    public boolean allOk() {
      return files.stream().allMatch(FileResult::isOk);
    }
  }

  /** The runner name as {@link #options} matches it. */
  private static String runnerKey(String runner) {
    return runner == null ? "direct" : runner.trim().toLowerCase(java.util.Locale.ROOT);
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
        String master = FlinkMaster.parse(flinkMaster);
        o.setFlinkMaster(master);
        if (FlinkMaster.isRemote(master)) {
          o.setFilesToStage(FlinkMaster.jobJars());
          // Detached: run() returns the cluster's job handle at once, so the run is watched (metrics()) and
          // cancelled (cancel()) through PipelineResult while it runs; Beam polls the job's state each second.
          // [local] stays attached: its detached job runs on a mini cluster that shuts down as the job ends, after
          // which the handle answers every call with IllegalStateException, so the end state could not be read.
          o.setAttachedMode(false);
          o.setJobCheckIntervalInSecs(1);
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

  /** Intra-op threads per model instance: the option, or 1 for 0 (auto): each runner thread has its own instance. */
  static int modelThreads(EncodingOptions options) {
    return options.getModelThreads() > 0 ? options.getModelThreads() : 1;
  }

  /**
   * Builds the pipeline for {@code inputs}; each file's outcome is written as a JSON line to files
   * starting with {@code outcomes} (any Beam file spec).
   */
  public static Pipeline build(EncodingOptions options, EncodingSpec spec, List<Input> inputs, String outcomes) {
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("Invalid inputs: no audio files to encode");
    }
    Set<String> ids = new HashSet<>();
    Map<String, String> paths = new LinkedHashMap<>();
    Map<String, String> sha = new LinkedHashMap<>();
    for (Input in : inputs) {
      if (!ids.add(in.audioFileId())) {
        throw new IllegalArgumentException("Invalid inputs: audio_file_id " + in.audioFileId() + " listed twice");
      }
      paths.put(in.audioFileId(), in.path());
      if (in.audioSha256() != null) {
        sha.put(in.audioFileId(), in.audioSha256());
      }
    }
    sha.putAll(spec.audioSha256ById());
    Pipeline p = Pipeline.create(options);
    PCollectionTuple encoded = p
        .apply("AudioFiles", Create.of(paths).withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply("Encode", HumpbackIO.encode(spec.encoderSpec().withBatchSize(options.getBatchSize())
            .withModelThreads(modelThreads(options))).withMaxShardSeconds(options.getMaxShardSeconds()));
    PCollectionTuple written = encoded.get(HumpbackIO.EMBEDDINGS)
        .apply("WriteEmbeddings", EmbeddingParquetIO.write(spec.embeddingsRoot()).withFooter(spec.footer())
            .withAudioSha256(sha));
    TypeDescriptor<KV<String, FileResult>> type =
        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(FileResult.class));
    KvCoder<String, FileResult> coder = KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(FileResult.class));
    PCollection<KV<String, FileResult>> ok = written.get(EmbeddingParquetIO.WRITTEN).apply("Written",
        MapElements.into(type).via((EmbeddingParquetIO.WrittenFile w) ->
            KV.of(w.sourceId(), FileResult.ok(w.sourceId(), w.rows(), w.vectorDim(), w.path())))).setCoder(coder);
    PCollection<KV<String, FileResult>> failed = PCollectionList.of(encoded.get(HumpbackIO.FAILURES))
        .and(written.get(EmbeddingParquetIO.FAILURES))
        .apply("AllFailures", Flatten.pCollections())
        .apply("Failed", MapElements.into(type).via((EncodingFailure f) -> KV.of(f.sourceId(), FileResult.failed(f))))
        .setCoder(coder);
    PCollectionList.of(ok).and(failed)
        .apply("AllOutcomes", Flatten.pCollections())
        .apply("ByFile", GroupByKey.create())
        .apply("OneOutcomePerFile", ParDo.of(new OutcomeFn(spec)))
        .apply("WriteOutcomes", TextIO.write().to(outcomes).withSuffix(".jsonl"));
    return p;
  }

  /**
   * A file's outcome: its first failure when it has any (a failed window fails the file; a file the
   * sink wrote anyway, e.g. when its very last window failed, is deleted), else its written file.
   */
  static final class OutcomeFn extends DoFn<KV<String, Iterable<FileResult>>, String> {
    private final EncodingSpec spec;

    OutcomeFn(EncodingSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<FileResult>> e, OutputReceiver<String> out) throws IOException {
      FileResult written = null;
      List<FileResult> failures = new ArrayList<>();
      for (FileResult r : e.getValue()) {
        if (r.isOk()) {
          written = r;
        } else {
          failures.add(r);
        }
      }
      FileResult outcome = written;
      if (!failures.isEmpty()) {
        // The cause (decode, features, inference) before its consequence (incomplete), then by message.
        failures.sort(Comparator.comparingInt((FileResult r) -> r.errorReason().equals("incomplete") ? 1 : 0)
            .thenComparing(FileResult::errorMessage));
        outcome = failures.get(0);
        if (written != null) {
          EmbeddingParquetIO.delete(spec.embeddingsRoot(), spec.footer(), e.getKey());
        }
      }
      out.output(JSON.writeValueAsString(outcome));
    }
  }

  /** Builds and starts a run whose scratch (the outcomes) goes to {@code runDir}; the caller polls, may cancel, and awaits. */
  public static Run start(EncodingOptions options, EncodingSpec spec, List<Input> inputs, Path runDir) {
    deleteTree(runDir); // outcomes of an earlier run in the same folder must never pass for this run's
    String outcomes = runDir.toAbsolutePath().resolve("outcomes").resolve("outcome").toString();
    Pipeline p = build(options, spec, inputs, outcomes);
    options.setBlockOnRun(false); // direct: run() returns at once so the run can be polled and cancelled
    return new Run(p, spec, inputs.stream().map(Input::audioFileId).toList(), runDir, outcomes);
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
    private final String outcomes;
    private final long startNanos = System.nanoTime();
    private final LaunchedPipeline launched;

    private Run(Pipeline p, EncodingSpec spec, List<String> audioFileIds, Path runDir, String outcomes) {
      this.spec = spec;
      this.audioFileIds = List.copyOf(audioFileIds);
      this.runDir = runDir;
      this.outcomes = outcomes;
      this.launched = new LaunchedPipeline(p, "encoding-pipeline-launcher");
    }

    /** Windows through inference so far: Beam's counter, as the runner reports it ({@code -1} before it can). */
    public long windowsEmbedded() {
      return Math.max(0, launched.counter(HumpbackIO.METRICS_NAMESPACE, "windows_embedded"));
    }

    public boolean isDone() {
      return launched.isDone();
    }

    /** Asks the runner to stop the run ({@link PipelineResult#cancel()}); {@link #discardOutput} removes what it wrote. */
    public void cancel() {
      launched.cancel();
    }

    /**
     * Waits for the end and collects one result per input file, in input order. A cancel that came after the run
     * finished leaves state {@code DONE} and the results ({@link Result#cancelCameTooLate()}).
     */
    public Result await() {
      PipelineResult.State state = launched.await();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      Map<String, FileResult> byId = new LinkedHashMap<>();
      if (state == PipelineResult.State.DONE) {
        for (FileResult fr : readOutcomes(outcomes + "*")) {
          byId.put(fr.audioFileId(), fr);
        }
      }
      List<FileResult> out = new ArrayList<>();
      Throwable t = launched.failure();
      for (String id : audioFileIds) {
        FileResult fr = byId.get(id);
        if (fr == null) {
          boolean canceled = state == PipelineResult.State.CANCELLED;
          String why = canceled ? "canceled"
              : t != null ? "The encoding pipeline failed: " + rootMessage(t)
              : "The encoding pipeline ended in state " + state + storageCause();
          fr = FileResult.failed(id, canceled ? "canceled" : "pipeline", why);
        }
        out.add(fr);
      }
      if (t != null) {
        LOG.warn("Encoding pipeline failed", t);
      }
      return new Result(state, out, elapsed, launched.cancelCameTooLate());
    }

    /**
     * When a runner reports only its end state, the cause is often the storage: a full disk or a read-only storage
     * root makes its steps fail where their exceptions are not returned. Writing a probe file in the run's folders
     * names that cause ("No space left on device"); empty when they take writes.
     */
    private String storageCause() {
      for (Path dir : List.of(runDir, Path.of(spec.embeddingsRoot()))) {
        Optional<String> why = StorageErrors.probeWritable(dir);
        if (why.isPresent()) {
          LOG.warn("Encoding run {} cannot write to its storage: {}", runDir.getFileName(), why.get());
          return ": " + why.get() + " (writing to the storage root)";
        }
      }
      return "";
    }

    /** Deletes what this run wrote for every file (Parquet files, temps, parts) and its run folder: used on cancel. */
    public void discardOutput() {
      for (String id : audioFileIds) {
        discardOutput(id);
      }
      deleteRunDir();
    }

    /** Deletes what this run wrote for one file (a job of the batch that was cancelled). */
    public void discardOutput(String audioFileId) {
      try {
        EmbeddingParquetIO.delete(spec.embeddingsRoot(), spec.footer(), audioFileId);
      } catch (RuntimeException e) {
        LOG.warn("Cannot delete the output of {}: {}", audioFileId, e.toString());
      }
    }

    /** Removes the run's scratch folder (its outcomes). */
    public void deleteRunDir() {
      deleteTree(runDir);
    }
  }

  /** The outcomes (JSON lines) in the files matching {@code pattern}. */
  static List<FileResult> readOutcomes(String pattern) {
    List<FileResult> out = new ArrayList<>();
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      if (m.status() != MatchResult.Status.OK) {
        return out;
      }
      for (MatchResult.Metadata md : m.metadata()) {
        String text;
        try (var in = Channels.newInputStream(FileSystems.open(md.resourceId()))) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
          if (!line.isBlank()) {
            out.add(JSON.readValue(line, FileResult.class));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the run's outcomes " + pattern, e);
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
}
