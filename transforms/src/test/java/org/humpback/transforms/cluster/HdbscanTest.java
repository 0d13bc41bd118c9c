package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HdbscanTest {
  /** The hand-worked examples count the point itself (R dbscan's minPts), as their comments do. */
  private static final Hdbscan.Params COUNTS_SELF =
      Hdbscan.Params.defaults().withConvention(Hdbscan.MinSamplesConvention.COUNTS_SELF);

  private static double[][] line(double... xs) {
    double[][] out = new double[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      out[i] = new double[] {xs[i]};
    }
    return out;
  }

  /**
   * A = {0,1,2}, B = {10,11,12}, outlier 30; minClusterSize 3, minSamples 2 (core = distance to the nearest other
   * point): cores are 1 in A and B and 18 for the outlier. MST: edges of weight 1 inside A and B, A-B at 8,
   * outlier at 18. Condensed tree: at distance 18 the outlier falls out of the root; at 8 the root splits into A and
   * B (both of size 3 = minClusterSize), each born at lambda 1/8 and dying at lambda 1 with stability
   * (1 - 1/8) * 3. The root cannot be selected, so A and B are the clusters and the outlier is noise. The input order
   * puts a B point first, so B is cluster 0.
   */
  @Test
  void twoGroupsAndAnOutlierByHand() {
    double[][] x = line(10, 0, 11, 30, 1, 12, 2);
    Hdbscan.Result r = Hdbscan.fit(x, COUNTS_SELF.withMinClusterSize(3).withMinSamples(2));
    assertArrayEquals(new int[] {0, 1, 0, Hdbscan.NOISE, 1, 0, 1}, r.labels());
    assertEquals(2, r.numClusters());
    assertArrayEquals(new double[] {1, 1, 1, 0, 1, 1, 1}, r.probabilities(), 1e-12);
    assertArrayEquals(new double[] {1, 1, 1, 18, 1, 1, 1}, r.coreDistances(), 1e-12);
    // GLOSH, as the library computes it: the outlier leaves the root at lambda 1/18 and the root's own largest
    // lambda is its split at 1/8: (1/8 - 1/18) / (1/8). Every other point leaves its cluster at that cluster's
    // largest lambda: score 0.
    assertArrayEquals(new double[] {0, 0, 0, 1 - 8 / 18.0, 0, 0, 0}, r.outlierScores(), 1e-12);
  }

  /**
   * clusterSelectionEpsilon, on the example above: A and B are born at distance 8. With epsilon 9 they are born
   * "too close" and are replaced by their parent, the root - which only happens with allowSingleCluster; then the
   * root's members are the points that stay at lambda &gt;= 1/epsilon, i.e. all but the outlier (it left at 1/18).
   */
  @Test
  void clusterSelectionEpsilonByHand() {
    double[][] x = line(10, 0, 11, 30, 1, 12, 2);
    Hdbscan.Params p = COUNTS_SELF.withMinClusterSize(3).withMinSamples(2).withClusterSelectionEpsilon(9);
    assertArrayEquals(new int[] {0, 1, 0, Hdbscan.NOISE, 1, 0, 1}, Hdbscan.fit(x, p).labels());
    assertArrayEquals(new int[] {0, 0, 0, Hdbscan.NOISE, 0, 0, 0},
        Hdbscan.fit(x, p.withAllowSingleCluster(true)).labels());
    // Epsilon below the birth distance changes nothing.
    assertArrayEquals(new int[] {0, 1, 0, Hdbscan.NOISE, 1, 0, 1},
        Hdbscan.fit(x, p.withClusterSelectionEpsilon(7).withAllowSingleCluster(true)).labels());
  }

  /**
   * minSamples != minClusterSize changes the answer. A = {0,1,2,3}, B = {6,7,8}, minClusterSize 3.
   * <ul>
   *   <li>minSamples 1: single linkage, A and B split at distance 3 into two clusters of sizes 4 and 3.</li>
   *   <li>minSamples 4 (third nearest other point): cores 3,2,2,3 | 3,4,5. Mutual reachability MST: (1,2)=2,
   *       (0,1)=3, (2,3)=3, (3,6)=3, (6,7)=4, 8 at 5. From the top: 8 falls out at distance 5, 7 at 4, then at
   *       distance 3 the remaining five points only shed single points or pairs - no split into two groups of 3, so
   *       with allowSingleCluster=false everything is noise.</li>
   *   <li>minSamples 4 with allowSingleCluster: the root is the cluster; as hdbscan, its members are the points that
   *       stay until the root's last split (lambda 1/3): 0,1,2,3,6; points 7 and 8 left earlier and are noise.</li>
   * </ul>
   */
  @Test
  void minSamplesDiffersFromMinClusterSizeByHand() {
    double[][] x = line(0, 1, 2, 3, 6, 7, 8);
    Hdbscan.Params p = COUNTS_SELF.withMinClusterSize(3);
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1}, Hdbscan.fit(x, p.withMinSamples(1)).labels());
    Hdbscan.Result r4 = Hdbscan.fit(x, p.withMinSamples(4));
    assertArrayEquals(new double[] {3, 2, 2, 3, 3, 4, 5}, r4.coreDistances(), 1e-12);
    assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, -1}, r4.labels());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, -1, -1},
        Hdbscan.fit(x, p.withMinSamples(4).withAllowSingleCluster(true)).labels());
  }

  /**
   * The library's min_samples m is the m-th nearest <em>other</em> point: our COUNTS_SELF m + 1. Unset, it is
   * minClusterSize in the library's count. It is clamped to n - 1.
   */
  @Test
  void libraryConventionIsCountsSelfPlusOne() {
    GaussianBlobs.Data d = GaussianBlobs.generate(600, 3, 2, 0.8, 6, 0.05, 11);
    Hdbscan.Params lib = Hdbscan.Params.defaults().withMinClusterSize(10);
    assertEquals(Hdbscan.MinSamplesConvention.HDBSCAN_LIBRARY, lib.convention());
    for (int m : new int[] {1, 3, 7}) {
      Hdbscan.Result a = Hdbscan.fit(d.points(), lib.withMinSamples(m));
      Hdbscan.Result b = Hdbscan.fit(d.points(), COUNTS_SELF.withMinClusterSize(10).withMinSamples(m + 1));
      assertArrayEquals(b.labels(), a.labels(), "min_samples " + m);
      assertArrayEquals(b.coreDistances(), a.coreDistances(), 0.0);
    }
    assertArrayEquals(Hdbscan.fit(d.points(), COUNTS_SELF.withMinClusterSize(10).withMinSamples(11)).labels(),
        Hdbscan.fit(d.points(), lib).labels());
    // line(0, 1, 3): min_samples 5 is clamped to 2 others, so every core distance is the farthest point's.
    assertArrayEquals(new double[] {3, 2, 3},
        Hdbscan.fit(line(0, 1, 3), lib.withMinSamples(5)).coreDistances(), 1e-12);
  }

  @Test
  void blobsWithNoiseRecoverTruth() {
    GaussianBlobs.Data d = GaussianBlobs.generate(3000, 5, 5, 1.0, 10, 0.03, 7);
    Hdbscan.Result r = Hdbscan.fit(d.points(), Hdbscan.Params.defaults().withMinClusterSize(25));
    double ari = ClusterMetrics.adjustedRandIndex(d.labels(), r.labels());
    assertEquals(5, r.numClusters());
    assertTrue(ari >= 0.95, "ARI " + ari);
    // Same input, same output (parallel kNN and Borůvka must not leak scheduling into labels).
    assertArrayEquals(r.labels(), Hdbscan.fit(d.points(), Hdbscan.Params.defaults().withMinClusterSize(25)).labels());
  }

  @Test
  void leafSelectionAndCosine() {
    GaussianBlobs.Data d = GaussianBlobs.generate(1000, 3, 4, 0.5, 10, 0.0, 3);
    Hdbscan.Result leaf = Hdbscan.fit(d.points(),
        Hdbscan.Params.defaults().withMinClusterSize(20).withSelection(Hdbscan.Selection.LEAF));
    assertTrue(leaf.numClusters() >= 4, "leaf clusters " + leaf.numClusters());
    // Scaling rows does not change cosine distances, so labels must not change.
    float[][] scaled = new float[d.points().length][];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = d.points()[i].clone();
      for (int j = 0; j < scaled[i].length; j++) {
        scaled[i][j] *= 1 + (i % 7);
      }
    }
    Hdbscan.Params cos = Hdbscan.Params.defaults().withMinClusterSize(20).withMetric(Metric.COSINE);
    assertArrayEquals(Hdbscan.fit(d.points(), cos).labels(), Hdbscan.fit(scaled, cos).labels());
  }

  @Test
  void tinyInputsAndValidation() {
    assertEquals(0, Hdbscan.fit(new double[0][], Hdbscan.Params.defaults()).labels().length);
    assertArrayEquals(new int[] {-1}, Hdbscan.fit(line(1), Hdbscan.Params.defaults()).labels());
    assertArrayEquals(new int[] {-1, -1, -1}, Hdbscan.fit(line(1, 2, 3), Hdbscan.Params.defaults()).labels());
    // Duplicates give zero distances; the result must still be well defined.
    Hdbscan.Result dup = Hdbscan.fit(line(1, 1, 1, 1, 1, 9, 9, 9, 9, 9), Hdbscan.Params.defaults().withMinClusterSize(3));
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, dup.labels());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Hdbscan.Params.defaults().withMinClusterSize(1));
    assertEquals("minClusterSize must be >= 2, got 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Hdbscan.fit(new double[][] {{1, 2}, {Double.NaN, 1}}, Hdbscan.Params.defaults()));
    assertEquals("data[1][0] is NaN; values must be finite", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Hdbscan.fit(new double[][] {{0, 0}, {1, 1}}, Hdbscan.Params.defaults().withMetric(Metric.COSINE)));
  }
}
