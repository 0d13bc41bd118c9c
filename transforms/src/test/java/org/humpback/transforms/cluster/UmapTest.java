package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UmapTest {
  @Test
  void abParamsMatchUmapLearn() {
    // umap-learn 0.5: find_ab_params(1.0, 0.1) = (1.5769434603113077, 0.8950608781227859)
    double[] ab = Umap.findAbParams(1.0, 0.1);
    assertEquals(1.5769, ab[0], 2e-3);
    assertEquals(0.8951, ab[1], 2e-3);
    // find_ab_params(1.0, 0.5) = (0.5830300205483709, 1.334166992455648)
    double[] ab5 = Umap.findAbParams(1.0, 0.5);
    assertEquals(0.5830, ab5[0], 2e-3);
    assertEquals(1.3342, ab5[1], 2e-3);
  }

  @Test
  void blobsAreTrustworthyAndClusterable() {
    GaussianBlobs.Data d = GaussianBlobs.generate(2000, 30, 6, 1.0, 8, 0.02, 11);
    Umap.Result r = Umap.fit(d.points(), Umap.Params.defaults().withNEpochs(200));
    double t = Trustworthiness.of(d.points(), r.embedding(), 5);
    assertTrue(t >= 0.9, "trustworthiness " + t);
    Hdbscan.Result h = Hdbscan.fit(r.embedding(), Hdbscan.Params.defaults().withMinClusterSize(30));
    double ari = ClusterMetrics.adjustedRandIndex(d.labels(), h.labels());
    assertTrue(ari >= 0.95, "ARI after UMAP " + ari + " clusters " + h.numClusters());
  }

  @Test
  void nnDescentPathIsAccurate() {
    // Large enough for NN-descent (n^2 d above the brute-force limit), small enough to check against brute force.
    GaussianBlobs.Data d = GaussianBlobs.generate(3000, 64, 10, 2.0, 5, 0.0, 5);
    int n = 3000;
    int dim = 64;
    float[] flat = new float[n * dim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(d.points()[i], 0, flat, i * dim, dim);
    }
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
    NnDescent.Graph approx = NnDescent.build(flat, n, dim, 14, 1, pool);
    NnDescent.Graph again = NnDescent.build(flat, n, dim, 14, 1, new java.util.concurrent.ForkJoinPool(1));
    assertArrayEquals(approx.idx(), again.idx(), "NN-descent must not depend on the thread count");
    KdTree exact = new KdTree(GaussianBlobs.toDouble(d.points()));
    long hits = 0;
    for (int i = 0; i < n; i++) {
      int[] ids = new int[15];
      exact.knnDistSq(i, 15, ids);
      java.util.Set<Integer> truth = new java.util.HashSet<>();
      for (int id : ids) {
        if (id != i) {
          truth.add(id);
        }
      }
      for (int m = 0; m < 14; m++) {
        if (truth.contains(approx.idx()[i * 14 + m])) {
          hits++;
        }
      }
    }
    double recall = hits / (14.0 * n);
    assertTrue(recall >= 0.95, "NN-descent recall " + recall);
    pool.shutdown();
  }

  @Test
  void oneThreadWithSeedIsDeterministic() {
    GaussianBlobs.Data d = GaussianBlobs.generate(300, 8, 3, 1.0, 6, 0.0, 2);
    Umap.Params p = Umap.Params.defaults().withThreads(1).withRandomSeed(7).withNEpochs(100);
    double[][] a = Umap.fit(d.points(), p).embedding();
    double[][] b = Umap.fit(d.points(), p).embedding();
    for (int i = 0; i < a.length; i++) {
      assertArrayEquals(a[i], b[i], 0.0);
    }
    double[][] c = Umap.fit(d.points(), p.withRandomSeed(8)).embedding();
    assertTrue(a[0][0] != c[0][0] || a[0][1] != c[0][1], "a different seed should change the layout");
  }

  @Test
  void tinyInputs() {
    assertEquals(0, Umap.fit(new float[0][], Umap.Params.defaults()).embedding().length);
    double[][] one = Umap.fit(new float[][] {{1, 2, 3}}, Umap.Params.defaults()).embedding();
    assertArrayEquals(new double[] {0, 0}, one[0], 0.0);
    Umap.Result two = Umap.fit(new float[][] {{1, 2, 3}, {4, 5, 6}}, Umap.Params.defaults());
    assertEquals(2, two.nNeighborsUsed());
    assertFinite(two.embedding());
    float[][] five = {{0, 0}, {1, 0}, {0, 1}, {5, 5}, {5, 6}};
    Umap.Result r5 = Umap.fit(five, Umap.Params.defaults().withThreads(1));
    assertEquals(5, r5.nNeighborsUsed(), "n <= nNeighbors: neighbourhood capped at n");
    assertFinite(r5.embedding());
    // Identical points: zero distances everywhere must not produce NaN.
    float[][] same = new float[20][];
    for (int i = 0; i < same.length; i++) {
      same[i] = new float[] {1, 1, 1};
    }
    assertFinite(Umap.fit(same, Umap.Params.defaults()).embedding());
    float[][] directions = {{1, 0}, {2, 0.1f}, {0, 1}, {0.1f, 3}, {-1, -1}};
    assertFinite(Umap.fit(directions, Umap.Params.defaults().withMetric(Metric.COSINE).withNComponents(3))
        .embedding());
  }

  @Test
  void fastPowMatchesMathPow() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      double x = Math.exp(rnd.nextDouble() * 80 - 40);
      double y = rnd.nextDouble() * 3 - 1;
      double expected = Math.pow(x, y);
      assertEquals(expected, Umap.fastPow(x, y), 1e-9 * expected, "x=" + x + " y=" + y);
    }
    assertEquals(0.0, Umap.fastPow(0.0, 0.9), 0.0);
    assertEquals(Math.pow(1e-310, 0.9), Umap.fastPow(1e-310, 0.9), 0.0);
  }

  @Test
  void validation() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Umap.Params.defaults().withNNeighbors(1));
    assertEquals("nNeighbors must be >= 2 (it counts the point itself), got 1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Umap.Params.defaults().withMinDist(-0.1));
    assertThrows(IllegalArgumentException.class, () -> Umap.Params.defaults().withThreads(0));
    e = assertThrows(IllegalArgumentException.class,
        () -> Umap.fit(new float[][] {{1, 2}, {3}}, Umap.Params.defaults()));
    assertEquals("data[1] has 1 columns, expected 2 like row 0", e.getMessage());
  }

  private static void assertFinite(double[][] emb) {
    for (double[] row : emb) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), "non-finite coordinate " + v);
      }
    }
  }
}
