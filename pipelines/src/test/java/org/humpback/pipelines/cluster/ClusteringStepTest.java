package org.humpback.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.GaussianBlobs;
import org.humpback.transforms.cluster.Metric;
import org.junit.jupiter.api.Test;

/** The clustering step on its own: reductions used, sweeps, tiny inputs, label metrics. */
class ClusteringStepTest {

  /** Counts calls to the real reductions. */
  static final class Counting implements Reductions {
    final AtomicInteger umapCalls = new AtomicInteger();
    final AtomicInteger pcaCalls = new AtomicInteger();

    @Override
    public double[][] pca(float[][] x, int components, long seed) {
      pcaCalls.incrementAndGet();
      return Reductions.standard().pca(x, components, seed);
    }

    @Override
    public double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
      umapCalls.incrementAndGet();
      assertTrue(nNeighbors >= 2 && nNeighbors <= x.length - 1, "neighbours clamped: " + nNeighbors);
      return Reductions.standard().umap(x, components, nNeighbors, minDist, metric, seed);
    }
  }

  @Test
  void aSweepReusesOneUmapRunAndA2dSpaceIsItsOwnPlot() {
    GaussianBlobs.Data d = GaussianBlobs.generate(300, 16, 3, 1.0, 10.0, 0.0, 1L);
    Counting c = new Counting();
    ClusteringParameters p = ClusteringParameters.defaults().withMinClusterSizes(List.of(5, 10, 20, 40));
    ClusteringStep.Result r = ClusteringStep.run(d.points(), p, c, null);
    assertEquals(1, c.umapCalls.get());
    assertEquals(4, r.runs().size());
    assertEquals(List.of(5, 10, 20, 40), r.runs().stream().map(ClusteringStep.Run::minClusterSize).toList());
    assertTrue(r.plot() == r.space());
    assertTrue(ClusterMetrics.adjustedRandIndex(d.labels(), r.stored().labels()) >= 0.95);
  }

  @Test
  void aFiveDimensionalSpaceGetsASeparatePlotUmapAndPcaRunsFirst() {
    GaussianBlobs.Data d = GaussianBlobs.generate(200, 40, 3, 1.0, 10.0, 0.0, 2L);
    Counting c = new Counting();
    ClusteringParameters p = ClusteringParameters.parse("{\"umap_n_components\": 5, \"pca_components\": 8}");
    ClusteringStep.Result r = ClusteringStep.run(d.points(), p, c, null);
    assertEquals(1, c.pcaCalls.get());
    assertEquals(2, c.umapCalls.get());
    assertEquals(5, r.space()[0].length);
    assertEquals(2, r.plot()[0].length);
  }

  @Test
  void tinyInputsAreHandledAndExplained() {
    Counting c = new Counting();
    ClusteringStep.Result one = ClusteringStep.run(new float[][] {{1, 2, 3}}, ClusteringParameters.defaults(), c, null);
    assertArrayEquals(new int[] {-1}, one.stored().labels());
    assertTrue(one.notes().get(0).contains("UMAP skipped"), one.notes().toString());
    assertEquals(0, c.umapCalls.get());
    assertNull(one.stored().metrics().get("silhouette"));

    // Fewer points than umap_n_neighbors: the neighbourhood is clamped, UMAP still runs.
    float[][] six = {{0, 0}, {0, 1}, {1, 0}, {10, 10}, {10, 11}, {11, 10}};
    ClusteringStep.Result r = ClusteringStep.run(six, ClusteringParameters.defaults().withMinClusterSizes(List.of(2)),
        c, null);
    assertEquals(1, c.umapCalls.get());
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("umap_n_neighbors clamped to 5")), r.notes().toString());
    assertEquals(6, r.stored().labels().length);

    assertThrows(IllegalArgumentException.class, () -> ClusteringStep.run(new float[0][], ClusteringParameters.defaults(),
        c, null));
  }

  @Test
  void labelMetricsUseOnlyLabelledWindows() {
    int[] labels = {0, 0, 1, 1, -1, 1};
    String[] truth = {"a", "a", "b", "b", null, "b"};
    java.util.Map<String, Object> m = ClusteringStep.metrics(5, 5, labels, new double[][] {{0}, {0.1}, {5}, {5.1}, {9}, {5.2}}, truth, "tag_data.label");
    assertEquals(5, m.get("n_labelled"));
    assertEquals(2, m.get("n_label_values"));
    assertEquals(1.0, (Double) m.get("ari"), 1e-12);
    assertEquals(1.0, (Double) m.get("nmi"), 1e-12);
    assertEquals(1L, m.get("n_noise"));
    assertEquals(1.0 / 6, (Double) m.get("noise_fraction"), 1e-12);
  }

  @Test
  void windowVectorsSurviveTheirCoder() throws Exception {
    for (WindowVector v : List.of(new WindowVector("set-1", 7, 6.825, 7.8, new float[] {1.5f, -2f, Float.MIN_VALUE, 0f}),
        new WindowVector("s", 0, 0, 0, new float[0]))) {
      byte[] bytes = org.apache.beam.sdk.util.CoderUtils.encodeToByteArray(WindowVector.Coder.of(), v);
      assertEquals(v, org.apache.beam.sdk.util.CoderUtils.decodeFromByteArray(WindowVector.Coder.of(), bytes));
    }
  }
}
