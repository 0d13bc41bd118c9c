package org.humpback.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.GaussianBlobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clustering job end to end: registry rows and Parquet in, pipeline, files and registry rows out. */
class ClusteringJobRunnerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  Database db;
  Path storage;
  ClusteringJobRunner runner;

  @BeforeEach
  void open() {
    db = ClusterFixtures.database(dir);
    storage = dir.resolve("data");
    runner = new ClusteringJobRunner(db, storage, ClusterFixtures.settings(), new AxisReductions());
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** Splits blob data into {@code parts} embedding sets; returns the sets and remembers each window's truth. */
  private List<EmbeddingSet> register(GaussianBlobs.Data data, int parts, Map<String, int[]> truthBySet, String... tags) {
    int n = data.points().length;
    int per = n / parts;
    List<EmbeddingSet> sets = new java.util.ArrayList<>();
    for (int k = 0; k < parts; k++) {
      float[][] v = Arrays.copyOfRange(data.points(), k * per, k == parts - 1 ? n : (k + 1) * per);
      int[] t = Arrays.copyOfRange(data.labels(), k * per, k == parts - 1 ? n : (k + 1) * per);
      EmbeddingSet s = ClusterFixtures.addSet(db, storage, "toy", v, tags.length > k ? tags[k] : null);
      truthBySet.put(s.id(), t);
      sets.add(s);
    }
    return sets;
  }

  private ClusteringJobRunner.Report runOne(List<EmbeddingSet> sets, String params) {
    ClusteringJob job = ClusteringJobs.submit(db, sets.stream().map(EmbeddingSet::id).toList(), params);
    ClusteringJobRunner.Report r = runner.runNext().orElseThrow();
    assertEquals(job.id(), r.jobId());
    return r;
  }

  private Map<String, Integer> labelsByWindow(String jobId) {
    Map<String, Integer> labelByCluster = new HashMap<>();
    for (Cluster c : db.dao(ClusterDao.class).listByJob(jobId)) {
      labelByCluster.put(c.id(), c.clusterLabel());
    }
    Map<String, Integer> out = new HashMap<>();
    for (ClusterAssignment a : db.dao(ClusterAssignmentDao.class).listByJob(jobId, 1_000_000, 0)) {
      out.put(a.embeddingSetId() + "/" + a.embeddingRowIndex(), labelByCluster.get(a.clusterId()));
    }
    return out;
  }

  @Test
  void blobsWithNoiseAreRecoveredThroughTheWholeJob() throws Exception {
    GaussianBlobs.Data data = GaussianBlobs.generate(900, 8, 4, 0.6, 8.0, 0.03, 7L);
    Map<String, int[]> truth = new HashMap<>();
    List<EmbeddingSet> sets = register(data, 3, truth);
    ClusteringJobRunner.Report r = runOne(sets, "{\"use_umap\": false, \"min_cluster_size\": 15}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());

    Map<String, Integer> pred = labelsByWindow(r.jobId());
    assertEquals(900, pred.size());
    int[] t = new int[900];
    int[] p = new int[900];
    int i = 0;
    for (EmbeddingSet s : sets) {
      int[] ts = truth.get(s.id());
      for (int row = 0; row < ts.length; row++, i++) {
        t[i] = ts[row];
        p[i] = pred.get(s.id() + "/" + row);
      }
    }
    double ari = ClusterMetrics.adjustedRandIndex(t, p);
    assertTrue(ari >= 0.95, "ARI vs truth " + ari);

    ClusteringJob job = db.dao(ClusteringJobDao.class).findById(r.jobId()).orElseThrow();
    assertEquals(JobStatus.COMPLETE, job.status());
    JsonNode m = JSON.readTree(job.metrics());
    assertEquals(4, m.get("n_clusters").asInt());
    assertEquals(900, m.get("n_windows").asInt());
    assertTrue(m.get("silhouette").asDouble() > 0.5, m.toString());
    assertTrue(m.get("noise_fraction").asDouble() < 0.1, m.toString());
    int sizeSum = 0;
    for (JsonNode v : m.get("cluster_sizes")) {
      sizeSum += v.asInt();
    }
    assertEquals(900, sizeSum + m.get("n_noise").asInt());

    Path out = storage.resolve("clusters").resolve(r.jobId());
    assertTrue(Files.isRegularFile(out.resolve("clusters.json")));
    List<ClusterOutputs.AssignmentRow> rows = ClusterOutputs.readAssignments(out.toString());
    assertEquals(900, rows.size());
    // Plot coordinates exist even without UMAP in the clustering (a separate 2-D projection is made).
    assertTrue(rows.stream().allMatch(a -> Double.isFinite(a.umapX()) && Double.isFinite(a.umapY())));
    assertEquals(sets.get(0).id(), rows.get(0).embeddingSetId());
    assertEquals(0, rows.get(0).embeddingRowIndex());
  }

  /** The default parameters (UMAP to 2-D, then HDBSCAN) with the real UMAP, on 32-d blobs with noise. */
  @Test
  void blobsAreRecoveredWithTheRealUmapAndTheDefaults() throws Exception {
    runner = new ClusteringJobRunner(db, storage, ClusterFixtures.settings());
    GaussianBlobs.Data data = GaussianBlobs.generate(600, 32, 4, 1.0, 10.0, 0.02, 21L);
    Map<String, int[]> truth = new HashMap<>();
    List<EmbeddingSet> sets = register(data, 2, truth);
    ClusteringJobRunner.Report r = runOne(sets, "{\"min_cluster_size\": 15}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());
    assertTrue(ariVsTruth(r.jobId(), sets, truth) >= 0.95, r.metrics().toString());
    assertEquals(2, r.metrics().get("clustering_space_dim").asInt());
  }

  /**
   * sample_size: the fit sees 300 of 1,200 windows (evenly spaced within each of 4 sets), every window is assigned by
   * the Beam pipeline in parallel Parquet files, and the clusters still match the blobs; on Direct and on Flink.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"direct", "flink"})
  void aJobFittedOnASampleAssignsEveryWindow(String runnerName) throws Exception {
    JobRunner.Settings settings = ClusterFixtures.settings();
    if (runnerName.equals("flink")) {
      settings = settings.withRunner("flink", "[local]", 2);
    }
    runner = new ClusteringJobRunner(db, storage, settings);
    GaussianBlobs.Data data = GaussianBlobs.generate(1200, 16, 4, 1.0, 10.0, 0.0, 23L);
    Map<String, int[]> truth = new HashMap<>();
    List<EmbeddingSet> sets = register(data, 4, truth);
    ClusteringJobRunner.Report r = runOne(sets, "{\"min_cluster_size\": 15, \"sample_size\": 300}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());
    assertEquals(300, r.metrics().get("sample_windows").asInt(), r.metrics().toString());
    assertEquals(1200, r.metrics().get("n_windows").asInt());
    assertTrue(ariVsTruth(r.jobId(), sets, truth) >= 0.95, r.metrics().toString());
    Path out = storage.resolve("clusters").resolve(r.jobId());
    List<ClusterOutputs.AssignmentRow> rows = ClusterOutputs.readAssignments(out.toString());
    assertEquals(1200, rows.size());
    assertTrue(rows.stream().allMatch(a -> a.probability() >= 0 && a.probability() <= 1
        && (a.clusterLabel() >= 0 || a.probability() == 0)));
    assertTrue(rows.stream().filter(a -> a.clusterLabel() >= 0).mapToDouble(ClusterOutputs.AssignmentRow::probability)
        .average().orElse(0) > 0.5);
    try (var files = Files.list(out.resolve(ClusterOutputs.ASSIGNMENTS_DIR))) {
      assertTrue(files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count() >= 1);
    }
    long sizes = 0;
    for (Cluster c : db.dao(ClusterDao.class).listByJob(r.jobId())) {
      sizes += c.size();
    }
    assertEquals(1200, sizes, "cluster sizes count every window, not only the sample");
  }

  @Test
  void sampleSizeIsValidated() {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2}}, null);
    Refusal e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(a.id()), "{\"sample_size\": 10}"));
    assertTrue(e.getMessage().contains("sample_size") && e.getMessage().contains("10"), e.getMessage());
    e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(a.id()), "{\"sample_size\": \"many\"}"));
    assertTrue(e.getMessage().contains("sample_size"), e.getMessage());
  }

  /** PCA first, UMAP to 5-D for clustering, and a separate 2-D UMAP for the plot. */
  @Test
  void pcaAndAFiveDimensionalUmapStillRecoverTheBlobs() throws Exception {
    runner = new ClusteringJobRunner(db, storage, ClusterFixtures.settings());
    GaussianBlobs.Data data = GaussianBlobs.generate(500, 64, 3, 1.0, 10.0, 0.0, 22L);
    Map<String, int[]> truth = new HashMap<>();
    List<EmbeddingSet> sets = register(data, 1, truth);
    ClusteringJobRunner.Report r = runOne(sets,
        "{\"pca_components\": 10, \"umap_n_components\": 5, \"min_cluster_size\": 15, \"metric\": \"cosine\"}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());
    assertEquals(5, r.metrics().get("clustering_space_dim").asInt());
    assertTrue(ariVsTruth(r.jobId(), sets, truth) >= 0.95, r.metrics().toString());
    List<ClusterOutputs.AssignmentRow> rows = ClusterOutputs.readAssignments(
        storage.resolve("clusters").resolve(r.jobId()).toString());
    double spreadX = rows.stream().mapToDouble(ClusterOutputs.AssignmentRow::umapX).max().orElseThrow()
        - rows.stream().mapToDouble(ClusterOutputs.AssignmentRow::umapX).min().orElseThrow();
    assertTrue(spreadX > 0, "the plot has real 2-D coordinates");
  }

  private double ariVsTruth(String jobId, List<EmbeddingSet> sets, Map<String, int[]> truth) {
    Map<String, Integer> pred = labelsByWindow(jobId);
    List<Integer> t = new java.util.ArrayList<>();
    List<Integer> p = new java.util.ArrayList<>();
    for (EmbeddingSet s : sets) {
      int[] ts = truth.get(s.id());
      for (int row = 0; row < ts.length; row++) {
        t.add(ts[row]);
        p.add(pred.get(s.id() + "/" + row));
      }
    }
    return ClusterMetrics.adjustedRandIndex(t.stream().mapToInt(Integer::intValue).toArray(),
        p.stream().mapToInt(Integer::intValue).toArray());
  }

  @Test
  void mixedDimensionsAreRefusedAtSubmitAndAtRun() {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2, 3, 4}}, null);
    EmbeddingSet b = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2, 3, 4, 5, 6}}, null);
    Refusal e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(a.id(), b.id()), null));
    assertTrue(e.getMessage().contains("vector_dim") && e.getMessage().contains("4 (" + a.id())
        && e.getMessage().contains("6 (" + b.id()), e.getMessage());

    // A job queued by another path is refused by the worker too.
    JobQueue.clustering(db.jdbi()).enqueue(ClusteringJob.queued(List.of(a.id(), b.id()), null, null, 1));
    ClusteringJobRunner.Report r = runner.runNext().orElseThrow();
    assertEquals(ClusteringJobRunner.Outcome.FAILED, r.outcome());
    assertTrue(r.error().contains("different vector_dim"), r.error());
    assertEquals(JobStatus.FAILED, db.dao(ClusteringJobDao.class).findById(r.jobId()).orElseThrow().status());
  }

  @Test
  void aFileDisagreeingWithTheRegistryIsRefused() {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2, 3}, {3, 4, 5}}, null);
    // Same file registered again as a 5-d set of another audio file.
    EmbeddingSet wrong = new EmbeddingSet(org.humpback.registry.dao.Ids.newId(), a.audioFileId(), "x".repeat(64), "toy",
        1.0, 16000, 5, a.parquetPath(), 2L, org.humpback.registry.db.Timestamps.now());
    db.dao(org.humpback.registry.dao.EmbeddingSetDao.class).insert(wrong);
    ClusteringJobRunner.Report r = runOne(List.of(wrong), null);
    assertEquals(ClusteringJobRunner.Outcome.FAILED, r.outcome());
    assertTrue(r.error().contains("vector_dim 3") && r.error().contains("registered with 5"), r.error());
  }

  @Test
  void theClusteringWorkerDrainsTheQueue() {
    GaussianBlobs.Data data = GaussianBlobs.generate(120, 2, 2, 0.3, 10.0, 0.0, 9L);
    List<EmbeddingSet> sets = register(data, 2, new HashMap<>());
    ClusteringJob j1 = ClusteringJobs.submit(db, List.of(sets.get(0).id()), "{\"use_umap\": false}");
    ClusteringJob j2 = ClusteringJobs.submit(db, List.of(sets.get(1).id()), "{\"use_umap\": false}");
    ClusteringWorker w = new ClusteringWorker(runner, "test-worker", java.time.Duration.ZERO,
        java.time.Duration.ofSeconds(30), true);
    w.run();
    assertEquals(2, w.jobsRun());
    for (ClusteringJob j : List.of(j1, j2)) {
      assertEquals(JobStatus.COMPLETE, db.dao(ClusteringJobDao.class).findById(j.id()).orElseThrow().status());
    }
  }

  @Test
  void mixedModelsAreRefused() {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2}}, null);
    EmbeddingSet b = ClusterFixtures.addSet(db, storage, "other", new float[][] {{1, 2}}, null);
    Refusal e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(a.id(), b.id()), null));
    assertTrue(e.getMessage().contains("different models") && e.getMessage().contains("other")
        && e.getMessage().contains("toy"), e.getMessage());
  }

  @Test
  void emptySelectionsAreRefused() {
    Refusal e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(), null));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    e = assertThrows(Refusal.class, () -> ClusteringJobs.submit(db, List.of("no-such-set"), null));
    assertEquals(Refusal.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("not found: no-such-set"), e.getMessage());

    // Sets that exist but hold no windows: nothing to cluster.
    EmbeddingSet empty = ClusterFixtures.addSet(db, storage, "toy", new float[0][], null);
    ClusteringJobRunner.Report r = runOne(List.of(empty), "{\"use_umap\": false}");
    assertEquals(ClusteringJobRunner.Outcome.FAILED, r.outcome());
    assertTrue(r.error().contains("no vectors"), r.error());
  }

  @Test
  void badParametersFailWithTheFieldName() {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{1, 2}}, null);
    Refusal e = assertThrows(Refusal.class,
        () -> ClusteringJobs.submit(db, List.of(a.id()), "{\"min_cluster_size\": 1}"));
    assertEquals(Refusal.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("min_cluster_size"), e.getMessage());
  }

  @Test
  void metadataSummariesCountEachClustersWindows() throws Exception {
    // Three well separated blobs, one per file; file C has no metadata.
    GaussianBlobs.Data data = GaussianBlobs.generate(240, 6, 3, 0.3, 10.0, 0.0, 11L);
    float[][][] byBlob = new float[3][][];
    for (int b = 0; b < 3; b++) {
      final int bb = b;
      byBlob[b] = java.util.stream.IntStream.range(0, 240).filter(i -> data.labels()[i] == bb)
          .mapToObj(i -> data.points()[i]).toArray(float[][]::new);
    }
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", byBlob[0], "{\"label\": \"mn\", \"site\": \"K1\"}");
    EmbeddingSet b = ClusterFixtures.addSet(db, storage, "toy", byBlob[1], "{\"label\": \"not_mn\", \"site\": \"K1\"}");
    EmbeddingSet c = ClusterFixtures.addSet(db, storage, "toy", byBlob[2], null);
    ClusteringJobRunner.Report r = runOne(List.of(a, b, c),
        "{\"use_umap\": false, \"min_cluster_size\": 10, \"label_field\": \"tag_data.label\"}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());

    // Expected counts, from the stored assignments and each set's metadata.
    Map<String, String> labelOfSet = Map.of(a.id(), "mn", b.id(), "not_mn");
    Map<String, Integer> labelByCluster = new HashMap<>();
    List<Cluster> clusters = db.dao(ClusterDao.class).listByJob(r.jobId());
    clusters.forEach(cl -> labelByCluster.put(cl.id(), cl.clusterLabel()));
    Map<Integer, Map<String, Long>> expectLabel = new HashMap<>();
    Map<Integer, Long> expectSite = new HashMap<>();
    for (ClusterAssignment asg : db.dao(ClusterAssignmentDao.class).listByJob(r.jobId(), 1_000_000, 0)) {
      int cl = labelByCluster.get(asg.clusterId());
      String lab = labelOfSet.get(asg.embeddingSetId());
      if (lab != null) {
        expectLabel.computeIfAbsent(cl, k -> new HashMap<>()).merge(lab, 1L, Long::sum);
        expectSite.merge(cl, 1L, Long::sum);
      }
    }
    assertEquals(3, clusters.stream().filter(cl -> cl.clusterLabel() >= 0).count());
    for (Cluster cl : clusters) {
      JsonNode s = JSON.readTree(cl.metadataSummary());
      Map<String, Long> got = new HashMap<>();
      if (s.has("tag_data.label")) {
        s.get("tag_data.label").fields().forEachRemaining(e -> got.put(e.getKey(), e.getValue().asLong()));
      }
      assertEquals(expectLabel.getOrDefault(cl.clusterLabel(), Map.of()), got, "cluster " + cl.clusterLabel());
      long site = s.has("tag_data.site") ? s.get("tag_data.site").get("K1").asLong() : 0;
      assertEquals(expectSite.getOrDefault(cl.clusterLabel(), 0L), site);
      if (s.has("tag_data")) {
        long whole = 0;
        for (JsonNode v : s.get("tag_data")) {
          whole += v.asLong();
        }
        assertEquals(site, whole, "the whole tag_data object is counted too");
      }
    }
    // The clusters split mn from not_mn perfectly, so the label metrics are 1.
    JsonNode m = JSON.readTree(db.dao(ClusteringJobDao.class).findById(r.jobId()).orElseThrow().metrics());
    assertEquals("tag_data.label", m.get("label_field").asText());
    assertEquals(byBlob[0].length + byBlob[1].length, m.get("n_labelled").asInt());
    assertEquals(2, m.get("n_label_values").asInt());
    assertEquals(1.0, m.get("homogeneity").asDouble(), 1e-9);
    assertNotNull(m.get("ari").numberValue());
    assertNotNull(m.get("nmi").numberValue());
    assertNotNull(m.get("completeness").numberValue());
  }

  @Test
  void aSweepReportsMetricsPerValueAndStoresTheFirst() throws Exception {
    GaussianBlobs.Data data = GaussianBlobs.generate(400, 5, 4, 0.5, 8.0, 0.02, 3L);
    List<EmbeddingSet> sets = register(data, 2, new HashMap<>());
    ClusteringJobRunner.Report r = runOne(sets, "{\"use_umap\": false, \"min_cluster_size\": [10, 30, 150]}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());
    JsonNode m = r.metrics();
    assertEquals(10, m.get("min_cluster_size").asInt());
    JsonNode sweep = m.get("sweep");
    assertEquals(3, sweep.size());
    assertEquals(List.of(10, 30, 150), List.of(sweep.get(0).get("min_cluster_size").asInt(),
        sweep.get(1).get("min_cluster_size").asInt(), sweep.get(2).get("min_cluster_size").asInt()));
    for (JsonNode s : sweep) {
      assertTrue(s.has("n_clusters") && s.has("noise_fraction") && s.has("silhouette") && s.has("cluster_sizes"));
    }
    assertEquals(4, sweep.get(0).get("n_clusters").asInt());
    // min_cluster_size 150 > any blob (about 98 points): no cluster can form.
    assertEquals(0, sweep.get(2).get("n_clusters").asInt());
    assertEquals(m.get("n_clusters"), sweep.get(0).get("n_clusters"));
    long stored = db.dao(ClusterDao.class).listByJob(r.jobId()).stream().filter(c -> c.clusterLabel() >= 0).count();
    assertEquals(4, stored);
  }

  @Test
  void tinyInputsStillProduceAResult() throws Exception {
    EmbeddingSet a = ClusterFixtures.addSet(db, storage, "toy", new float[][] {{0, 0, 1}, {0, 1, 0}, {5, 5, 5}}, null);
    ClusteringJobRunner.Report r = runOne(List.of(a), "{\"use_umap\": false}");
    assertEquals(ClusteringJobRunner.Outcome.COMPLETED, r.outcome(), r.error());
    assertEquals(0, r.metrics().get("n_clusters").asInt());
    assertEquals(1.0, r.metrics().get("noise_fraction").asDouble());
    assertTrue(r.metrics().get("silhouette").isNull());
    assertEquals(3, db.dao(ClusterAssignmentDao.class).listByJob(r.jobId(), 100, 0).size());
  }
}
