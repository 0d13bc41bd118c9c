package org.humpback.pipelines.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.humpback.pipelines.EmbeddingParquet;
import org.humpback.pipelines.LaunchedPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clustering pipeline: read the selected embedding sets' Parquet files with {@link ParquetIO}, turn each row into
 * a {@link WindowVector} tagged with its embedding set (checking its length against vector_dim), gather all windows
 * on one worker (HDBSCAN and UMAP need the whole matrix), run the {@link ClusteringStep} there and write
 * {@code clusters.json} and {@code assignments.parquet} (see {@link ClusterOutputs}) to the spec's output directory.
 * The registry rows are inserted afterwards by the launching process ({@link ClusteringJobRunner}) from those files,
 * so the pipeline needs no database and runs the same on Flink.
 *
 * <p>Memory: the gathering worker holds every vector once as floats plus the matrix as doubles (about 12 bytes per
 * value: 100k windows x 1280 dims is 1.5 GB), so very large selections should use PCA or a bigger heap.
 *
 * <p>A vector of the wrong length fails the whole run (naming the set and row): clustering a silently partial
 * selection would be worse than no result.
 */
public final class ClusteringPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteringPipeline.class);

  static final String WINDOWS_READ = "windows_read";

  private ClusteringPipeline() {}

  /** Builds the pipeline for {@code spec}. */
  public static Pipeline build(PipelineOptions options, ClusteringSpec spec) {
    Pipeline p = Pipeline.create(options);
    List<PCollection<WindowVector>> parts = new ArrayList<>();
    for (int i = 0; i < spec.sets().size(); i++) {
      ClusteringSpec.SetInput set = spec.sets().get(i);
      parts.add(p.apply("ReadSet" + i, ParquetIO.read(EmbeddingParquet.SCHEMA).from(set.parquetPath()))
          .apply("ToVectors" + i, ParDo.of(new ToVectorFn(set.embeddingSetId(), spec.vectorDim())))
          .setCoder(WindowVector.Coder.of()));
    }
    PCollectionList.of(parts).apply("AllWindows", Flatten.pCollections())
        .apply("OneGroup", WithKeys.of(0)).setCoder(KvCoder.of(VarIntCoder.of(), WindowVector.Coder.of()))
        .apply("Gather", GroupByKey.create())
        .apply("ClusterAndWrite", ParDo.of(new ClusterFn(spec)))
        .setCoder(StringUtf8Coder.of());
    return p;
  }

  /** Builds and starts the pipeline; the caller polls, may cancel, and awaits. */
  public static Run start(PipelineOptions options, ClusteringSpec spec) {
    Pipeline p = build(options, spec);
    if (options instanceof org.apache.beam.runners.direct.DirectOptions d) {
      d.setBlockOnRun(false);
    }
    return new Run(p);
  }

  /** A row of an embedding file → a window vector of its set. */
  static final class ToVectorFn extends DoFn<GenericRecord, WindowVector> {
    private final String setId;
    private final int vectorDim;
    private final Counter read = Metrics.counter(ClusteringPipeline.class, WINDOWS_READ);

    ToVectorFn(String setId, int vectorDim) {
      this.setId = setId;
      this.vectorDim = vectorDim;
    }

    @ProcessElement
    public void process(@Element GenericRecord r, OutputReceiver<WindowVector> out) {
      int row = (Integer) r.get("row_index");
      @SuppressWarnings("unchecked")
      List<Number> list = (List<Number>) r.get("embedding");
      if (list == null || list.size() != vectorDim) {
        throw new IllegalStateException("Embedding set " + setId + " row " + row + " has a vector of "
            + (list == null ? "no" : list.size()) + " values; the selection's vector_dim is " + vectorDim);
      }
      float[] v = new float[vectorDim];
      for (int i = 0; i < vectorDim; i++) {
        v[i] = list.get(i).floatValue();
      }
      read.inc();
      out.output(new WindowVector(setId, row, (Double) r.get("start_s"), (Double) r.get("end_s"), v));
    }
  }

  /** Clusters every gathered window and writes the job's files; outputs the clusters.json path. */
  static final class ClusterFn extends DoFn<KV<Integer, Iterable<WindowVector>>, String> {
    private final ClusteringSpec spec;

    ClusterFn(ClusteringSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<WindowVector>> all, OutputReceiver<String> out) {
      List<WindowVector> windows = new ArrayList<>();
      all.getValue().forEach(windows::add);
      Map<String, Integer> setOrder = new HashMap<>();
      for (ClusteringSpec.SetInput s : spec.sets()) {
        setOrder.putIfAbsent(s.embeddingSetId(), setOrder.size());
      }
      // A fixed order makes the result independent of how the runner delivered the rows.
      windows.sort(Comparator.<WindowVector>comparingInt(w -> setOrder.get(w.embeddingSetId()))
          .thenComparingInt(WindowVector::rowIndex));
      write(spec, windows);
      out.output(spec.clustersJson().toString());
    }
  }

  /** Runs the clustering step on ordered windows and writes both files. Package-private for tests. */
  static void write(ClusteringSpec spec, List<WindowVector> windows) {
    int n = windows.size();
    float[][] x = new float[n][];
    @SuppressWarnings("unchecked")
    Map<String, String>[] md = new Map[n];
    for (int i = 0; i < n; i++) {
      WindowVector w = windows.get(i);
      x[i] = w.vector();
      md[i] = spec.setMetadata().get(w.embeddingSetId());
    }
    ClusteringParameters params = spec.parameters();
    String[] truth = params.labelField() == null ? null : MetadataSummaries.labels(params.labelField(), md);
    long t0 = System.nanoTime();
    ClusteringStep.Result result = ClusteringStep.run(x, params, spec.reductions(), truth);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ClusteringStep.Run stored = result.stored();

    Map<Integer, Map<String, Map<String, Long>>> summaries = MetadataSummaries.summarize(stored.labels(), md);
    Map<Integer, String> clusterIds = new HashMap<>();
    List<Map<String, Object>> clusters = new ArrayList<>();
    for (Map.Entry<Integer, Map<String, Map<String, Long>>> e : summaries.entrySet()) {
      String id = UUID.randomUUID().toString();
      clusterIds.put(e.getKey(), id);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", id);
      c.put("cluster_label", e.getKey());
      c.put("size", java.util.Arrays.stream(stored.labels()).filter(l -> l == e.getKey()).count());
      c.put("metadata_summary", e.getValue());
      clusters.add(c);
    }

    List<ClusterOutputs.AssignmentRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      WindowVector w = windows.get(i);
      int label = stored.labels()[i];
      rows.add(new ClusterOutputs.AssignmentRow(clusterIds.get(label), label, w.embeddingSetId(), w.rowIndex(),
          w.startS(), w.endS(), result.plot()[i][0], result.plot()[i][1]));
    }

    Map<String, Object> metrics = new LinkedHashMap<>(stored.metrics());
    metrics.put("clustering_space_dim", result.space()[0].length);
    metrics.put("seconds", seconds);
    if (params.isSweep()) {
      metrics.put("sweep", result.runs().stream().map(ClusteringStep.Run::metrics).toList());
    }
    if (!result.notes().isEmpty()) {
      metrics.put("notes", result.notes());
    }
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("job_id", spec.jobId());
    file.put("model_version", spec.modelVersion());
    file.put("vector_dim", spec.vectorDim());
    file.put("embedding_set_ids", spec.sets().stream().map(ClusteringSpec.SetInput::embeddingSetId).toList());
    file.put("parameters", ClusterOutputs.readJsonText(params.toJson()));
    file.put("metrics", metrics);
    file.put("clusters", clusters);

    // Assignments first: clusters.json is the marker that the job's files are complete.
    ClusterOutputs.writeAssignments(spec.assignmentsParquet(), rows);
    ClusterOutputs.writeJson(spec.clustersJson(), file);
    LOG.info("Clustering job {}: {} windows, {} clusters, noise {} ({} s)", spec.jobId(), n,
        stored.metrics().get("n_clusters"), stored.metrics().get("noise_fraction"), String.format("%.2f", seconds));
  }

  /** A started run (see {@link LaunchedPipeline}). */
  public static final class Run {
    private final LaunchedPipeline launched;
    private volatile boolean cancelRequested;

    private Run(Pipeline p) {
      launched = new LaunchedPipeline(p, "clustering-pipeline-launcher");
    }

    /** Windows read so far (live on the direct runner). */
    public long windowsRead() {
      return Math.max(0, launched.counter(ClusteringPipeline.class, WINDOWS_READ));
    }

    public boolean isDone() {
      return launched.isDone();
    }

    public void cancel() {
      cancelRequested = true;
      launched.cancel();
    }

    /**
     * Waits for the end.
     *
     * @throws IllegalStateException with the root cause's message when the pipeline failed
     */
    public PipelineResult.State await() {
      PipelineResult.State state;
      try {
        state = launched.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel();
        return PipelineResult.State.CANCELLED;
      }
      if (cancelRequested) {
        return PipelineResult.State.CANCELLED;
      }
      Throwable t = launched.failure();
      if (t != null) {
        throw new IllegalStateException(rootMessage(t), t);
      }
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("The clustering pipeline ended in state " + state);
      }
      return state;
    }

    /** Waits at most {@code timeout} for the end (polling helper for tests and the command). */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (!isDone() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      return isDone();
    }
  }

  /** The innermost cause's message: Beam wraps DoFn exceptions several times. */
  static String rootMessage(Throwable t) {
    Throwable c = LaunchedPipeline.rootCause(t);
    String m = c.getMessage();
    return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
  }
}
