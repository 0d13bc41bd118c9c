package org.humpback.pipelines.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.beam.EmbeddingParquetIO;
import org.humpback.pipelines.LaunchedPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clustering pipeline: read the selected embedding sets' Parquet files with {@link ParquetIO}, turn each row into
 * a {@link WindowVector} tagged with its embedding set (checking its length against vector_dim), gather all windows
 * on one worker (HDBSCAN and UMAP need the whole matrix), run the {@link ClusteringStep} there and write
 * {@code clusters.json} and {@code assignments/} (see {@link ClusterOutputs}) to the spec's output directory. A job
 * with {@code sample_size} fits on a sample instead and assigns every window in parallel (see {@code buildSampled}).
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
    if (spec.sampled()) {
      buildSampled(p, spec);
      return p;
    }
    List<PCollection<WindowVector>> parts = new ArrayList<>();
    for (int i = 0; i < spec.sets().size(); i++) {
      ClusteringSpec.SetInput set = spec.sets().get(i);
      parts.add(p.apply("ReadSet" + i, EmbeddingParquetIO.read().from(set.parquetPath()))
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
  static final class ToVectorFn extends DoFn<EmbeddingParquet.Row, WindowVector> {
    private final String setId;
    private final int vectorDim;
    private final Counter read = Metrics.counter(ClusteringPipeline.class, WINDOWS_READ);

    ToVectorFn(String setId, int vectorDim) {
      this.setId = setId;
      this.vectorDim = vectorDim;
    }

    @ProcessElement
    public void process(@Element EmbeddingParquet.Row r, OutputReceiver<WindowVector> out) {
      if (r.embedding().length != vectorDim) {
        throw new IllegalStateException("Embedding set " + setId + " row " + r.rowIndex() + " has a vector of "
            + r.embedding().length + " values; the selection's vector_dim is " + vectorDim);
      }
      read.inc();
      out.output(new WindowVector(setId, r.rowIndex(), r.startS(), r.endS(), r.embedding()));
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
      write(spec, inSelectionOrder(all.getValue(), setOrder(spec)));
      out.output(spec.clustersJson());
    }
  }

  /** Each selected set's place in the selection (a set selected twice keeps its first place). */
  static Map<String, Integer> setOrder(ClusteringSpec spec) {
    Map<String, Integer> order = new HashMap<>();
    for (ClusteringSpec.SetInput s : spec.sets()) {
      order.putIfAbsent(s.embeddingSetId(), order.size());
    }
    return order;
  }

  /**
   * The grouped windows by their set's place in the selection, then by row: a fixed order makes the result
   * independent of how the runner delivered the rows.
   */
  static List<WindowVector> inSelectionOrder(Iterable<WindowVector> all, Map<String, Integer> setOrder) {
    List<WindowVector> windows = new ArrayList<>();
    all.forEach(windows::add);
    windows.sort(Comparator.<WindowVector>comparingInt(w -> setOrder.get(w.embeddingSetId()))
        .thenComparingInt(WindowVector::rowIndex));
    return windows;
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
          w.startS(), w.endS(), result.plot()[i][0], result.plot()[i][1], stored.probabilities()[i]));
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
    ClusterOutputs.writeAssignments(spec.outputDir(), rows);
    ClusterOutputs.writeJson(spec.clustersJson(), file);
    LOG.info("Clustering job {}: {} windows, {} clusters, noise {} ({} s)", spec.jobId(), n,
        stored.metrics().get("n_clusters"), stored.metrics().get("noise_fraction"), String.format("%.2f", seconds));
  }

  // ---- fit on a sample, assign every window ----------------------------------------------------------------------

  /**
   * A job with {@code sample_size}: read the sample (each set's quota of evenly spaced rows), fit on one worker and
   * store the model in the job's {@code model/} folder; then every set is read again, one set per element spread over
   * the workers, and each window is placed and labelled by the model (memory: the model, plus one Parquet row group
   * per worker thread, whatever the number of windows). Assignments are written by {@code FileIO} in parallel Parquet
   * files; once they are all written, the per-cluster sizes and metadata summaries are counted over every window and
   * {@code clusters.json} is written last.
   */
  private static void buildSampled(Pipeline p, ClusteringSpec spec) {
    List<Integer> setIndices = new ArrayList<>();
    for (int i = 0; i < spec.sets().size(); i++) {
      setIndices.add(i);
    }
    PCollection<Integer> sets = p.apply("Sets", Create.of(setIndices).withCoder(VarIntCoder.of()));
    PCollection<String> model = sets
        .apply("SpreadSampleReads", Reshuffle.viaRandomKey())
        .apply("ReadSample", ParDo.of(new ReadSampleFn(spec))).setCoder(WindowVector.Coder.of())
        .apply("OneGroup", WithKeys.of(0)).setCoder(KvCoder.of(VarIntCoder.of(), WindowVector.Coder.of()))
        .apply("GatherSample", GroupByKey.create())
        .apply("FitSample", ParDo.of(new FitFn(spec))).setCoder(StringUtf8Coder.of());
    PCollection<ClusterOutputs.AssignmentRow> rows = model
        .apply("EachSet", ParDo.of(new EachSetFn(spec.sets().size())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
        .apply("SpreadSets", Reshuffle.viaRandomKey())
        .apply("Assign", ParDo.of(new AssignSetFn(spec)))
        .setCoder(SerializableCoder.of(ClusterOutputs.AssignmentRow.class));
    WriteFilesResult<Void> written = rows.apply("WriteAssignments", FileIO.<ClusterOutputs.AssignmentRow>write()
        .via(ClusterOutputs.sink()).to(ClusterOutputs.assignmentsDir(spec.outputDir()))
        .withPrefix("part").withSuffix(".parquet"));
    PCollectionView<String> modelView = model.apply("ModelPath", View.asSingleton());
    rows.apply("LabelAndSet", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.strings()))
            .via(r -> KV.of(r.clusterLabel(), r.embeddingSetId())))
        .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
        .apply("CountPerLabelAndSet", Count.perElement())
        .apply("AfterAssignmentsWritten", Wait.on(written.getPerDestinationOutputFilenames()))
        .apply("OneCountGroup", WithKeys.of(0))
        .setCoder(KvCoder.of(VarIntCoder.of(),
            KvCoder.of(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()), VarLongCoder.of())))
        .apply("GatherCounts", GroupByKey.create())
        .apply("WriteClusters", ParDo.of(new SummariseFn(spec, modelView)).withSideInputs(modelView))
        .setCoder(StringUtf8Coder.of());
  }

  static String modelFile(ClusteringSpec spec) {
    return ClusterOutputs.resolve(ClusterOutputs.resolve(spec.outputDir(), ClusterOutputs.MODEL_DIR, true),
        "clustering-model.bin", false);
  }

  static String fitJson(ClusteringSpec spec) {
    return ClusterOutputs.resolve(ClusterOutputs.resolve(spec.outputDir(), ClusterOutputs.MODEL_DIR, true),
        "fit.json", false);
  }

  private static void checkDim(ClusteringSpec spec, String setId, EmbeddingParquet.Row r) {
    if (r.embedding().length != spec.vectorDim()) {
      throw new IllegalStateException("Embedding set " + setId + " row " + r.rowIndex() + " has a vector of "
          + r.embedding().length + " values; the selection's vector_dim is " + spec.vectorDim());
    }
  }

  /** A set → its sampled windows. */
  static final class ReadSampleFn extends DoFn<Integer, WindowVector> {
    private final ClusteringSpec spec;
    private final long[] quotas;

    ReadSampleFn(ClusteringSpec spec) {
      this.spec = spec;
      this.quotas = spec.sampleQuotas();
    }

    @ProcessElement
    public void process(@Element Integer set, OutputReceiver<WindowVector> out) {
      ClusteringSpec.SetInput s = spec.sets().get(set);
      long quota = quotas[set];
      if (quota == 0) {
        return;
      }
      EmbeddingParquet.forEachRow(s.parquetPath(), r -> {
        if (ClusteringSpec.inSample(r.rowIndex(), quota, s.windows())) {
          checkDim(spec, s.embeddingSetId(), r);
          out.output(new WindowVector(s.embeddingSetId(), r.rowIndex(), r.startS(), r.endS(), r.embedding()));
        }
      });
    }
  }

  /** Fits on the gathered sample, stores the model and the fit's metrics; outputs the model's file. */
  static final class FitFn extends DoFn<KV<Integer, Iterable<WindowVector>>, String> {
    private final ClusteringSpec spec;

    FitFn(ClusteringSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<WindowVector>> all, OutputReceiver<String> out) {
      Map<String, Integer> setOrder = setOrder(spec);
      List<WindowVector> windows = inSelectionOrder(all.getValue(), setOrder);
      int n = windows.size();
      float[][] x = new float[n][];
      long[] keys = new long[n];
      @SuppressWarnings("unchecked")
      Map<String, String>[] md = new Map[n];
      for (int i = 0; i < n; i++) {
        WindowVector w = windows.get(i);
        x[i] = w.vector();
        keys[i] = ClusteringModel.key(setOrder.get(w.embeddingSetId()), w.rowIndex());
        md[i] = spec.setMetadata().get(w.embeddingSetId());
      }
      windows.clear();
      ClusteringParameters params = spec.parameters();
      String[] truth = params.labelField() == null ? null : MetadataSummaries.labels(params.labelField(), md);
      long t0 = System.nanoTime();
      ClusteringStep.Fitted fitted = ClusteringStep.fit(x, params, truth);
      double seconds = (System.nanoTime() - t0) / 1e9;
      ClusteringStep.Result result = fitted.result();
      int clusters = fitted.model().hdbscan().result().numClusters();
      String[] ids = new String[clusters + 1];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = UUID.randomUUID().toString();
      }
      ClusteringModel model = fitted.model().forJob(keys, ids);
      String file = modelFile(spec);
      model.save(file);

      Map<String, Object> metrics = new LinkedHashMap<>(result.stored().metrics());
      metrics.put("clustering_space_dim", result.space()[0].length);
      metrics.put("fit_seconds", seconds);
      if (params.isSweep()) {
        metrics.put("sweep", result.runs().stream().map(ClusteringStep.Run::metrics).toList());
      }
      List<String> notes = new ArrayList<>(result.notes());
      notes.add("fitted on a sample of " + n + " of " + spec.totalWindows() + " windows; the other windows were "
          + "placed by UMAP transform and labelled by HDBSCAN approximate_predict; silhouette and label scores are "
          + "the sample's");
      metrics.put("notes", notes);
      Map<String, Object> fit = new LinkedHashMap<>();
      fit.put("metrics", metrics);
      fit.put("sample_windows", n);
      fit.put("cluster_ids", List.of(ids));
      ClusterOutputs.writeJson(fitJson(spec), fit);
      LOG.info("Clustering job {}: fitted on {} of {} windows, {} clusters ({} s)", spec.jobId(), n,
          spec.totalWindows(), clusters, String.format("%.2f", seconds));
      out.output(file);
    }
  }

  /** The fitted model → one element per set to assign. */
  static final class EachSetFn extends DoFn<String, KV<String, Integer>> {
    private final int sets;

    EachSetFn(int sets) {
      this.sets = sets;
    }

    @ProcessElement
    public void process(@Element String model, OutputReceiver<KV<String, Integer>> out) {
      for (int i = 0; i < sets; i++) {
        out.output(KV.of(model, i));
      }
    }
  }

  /** Places and labels every window of a set with the fitted model, streaming the set's file. */
  static final class AssignSetFn extends DoFn<KV<String, Integer>, ClusterOutputs.AssignmentRow> {
    private final ClusteringSpec spec;
    private final Counter read = Metrics.counter(ClusteringPipeline.class, WINDOWS_READ);

    AssignSetFn(ClusteringSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<String, Integer> e, OutputReceiver<ClusterOutputs.AssignmentRow> out) {
      ClusteringModel model = ClusteringModel.shared(e.getKey());
      int set = e.getValue();
      ClusteringSpec.SetInput s = spec.sets().get(set);
      int epochs = model.epochs(spec.totalWindows());
      EmbeddingParquet.forEachRow(s.parquetPath(), r -> {
        checkDim(spec, s.embeddingSetId(), r);
        ClusteringModel.Assigned a = model.assign(r.embedding(), epochs, ClusteringModel.key(set, r.rowIndex()));
        out.output(new ClusterOutputs.AssignmentRow(model.clusterId(a.label()), a.label(), s.embeddingSetId(),
            r.rowIndex(), r.startS(), r.endS(), a.x(), a.y(), a.probability()));
        read.inc();
      });
    }
  }

  /** Counts per (label, set) of every assigned window → sizes and metadata summaries → clusters.json. */
  static final class SummariseFn extends DoFn<KV<Integer, Iterable<KV<KV<Integer, String>, Long>>>, String> {
    private final ClusteringSpec spec;
    private final PCollectionView<String> modelView;

    SummariseFn(ClusteringSpec spec, PCollectionView<String> modelView) {
      this.spec = spec;
      this.modelView = modelView;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<KV<Integer, String>, Long>>> counts, ProcessContext c) {
      c.sideInput(modelView); // the fit is complete
      com.fasterxml.jackson.databind.JsonNode fit = ClusterOutputs.readJson(fitJson(spec));
      List<String> ids = new ArrayList<>();
      fit.get("cluster_ids").forEach(n -> ids.add(n.asText()));
      Map<Integer, Map<String, Long>> bySet = new java.util.TreeMap<>();
      for (KV<KV<Integer, String>, Long> e : counts.getValue()) {
        bySet.computeIfAbsent(e.getKey().getKey(), k -> new java.util.TreeMap<>()).merge(e.getKey().getValue(),
            e.getValue(), Long::sum);
      }
      Map<Integer, Map<String, Map<String, Long>>> summaries =
          MetadataSummaries.summarize(bySet, spec.setMetadata());
      List<Map<String, Object>> clusters = new ArrayList<>();
      long total = 0;
      long noise = 0;
      Map<String, Long> sizes = new LinkedHashMap<>();
      for (Map.Entry<Integer, Map<String, Map<String, Long>>> e : summaries.entrySet()) {
        long size = bySet.get(e.getKey()).values().stream().mapToLong(Long::longValue).sum();
        total += size;
        if (e.getKey() == org.humpback.transforms.cluster.Hdbscan.NOISE) {
          noise = size;
        } else {
          sizes.put(Integer.toString(e.getKey()), size);
        }
        Map<String, Object> cl = new LinkedHashMap<>();
        cl.put("id", ids.get(e.getKey() + 1));
        cl.put("cluster_label", e.getKey());
        cl.put("size", size);
        cl.put("metadata_summary", e.getValue());
        clusters.add(cl);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> metrics = ClusterOutputs.JSON.convertValue(fit.get("metrics"), LinkedHashMap.class);
      // Counts over every window; the sample's own figures stay under sample_*.
      metrics.put("sample_windows", fit.get("sample_windows").asLong());
      metrics.put("sample_n_noise", metrics.get("n_noise"));
      metrics.put("sample_cluster_sizes", metrics.get("cluster_sizes"));
      metrics.put("n_windows", total);
      metrics.put("n_clusters", ids.size() - 1);
      metrics.put("n_noise", noise);
      metrics.put("noise_fraction", total == 0 ? 0.0 : (double) noise / total);
      metrics.put("cluster_sizes", sizes);
      ClusteringParameters params = spec.parameters();
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("job_id", spec.jobId());
      file.put("model_version", spec.modelVersion());
      file.put("vector_dim", spec.vectorDim());
      file.put("embedding_set_ids", spec.sets().stream().map(ClusteringSpec.SetInput::embeddingSetId).toList());
      file.put("parameters", ClusterOutputs.readJsonText(params.toJson()));
      file.put("metrics", metrics);
      file.put("clusters", clusters);
      ClusterOutputs.writeJson(spec.clustersJson(), file);
      LOG.info("Clustering job {}: assigned {} windows, {} clusters, noise {}", spec.jobId(), total, ids.size() - 1,
          noise);
      c.output(spec.clustersJson());
    }
  }

  /** A started run (see {@link LaunchedPipeline}). */
  public static final class Run {
    private final LaunchedPipeline launched;

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
      launched.cancel();
    }

    /**
     * Waits for the end.
     *
     * @throws IllegalStateException with the root cause's message when the pipeline failed
     */
    public PipelineResult.State await() {
      PipelineResult.State state = launched.await();
      if (state == PipelineResult.State.CANCELLED) {
        return state;
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
