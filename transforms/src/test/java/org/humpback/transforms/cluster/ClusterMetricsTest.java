package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
  @Test
  void adjustedRandMatchesSklearnExamples() {
    // sklearn docs: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) == 0.57142857...
    assertEquals(0.5714285714285714, ClusterMetrics.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}),
        1e-12);
    // Permuted labels are the same partition.
    assertEquals(1.0, ClusterMetrics.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}), 1e-12);
    // sklearn docs: adjusted_rand_score([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    assertEquals(0.0, ClusterMetrics.adjustedRandIndex(new int[] {0, 0, 0, 0}, new int[] {0, 1, 2, 3}), 1e-12);
    // sklearn docs: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) == 0.57
    assertEquals(0.5714285714285714, ClusterMetrics.adjustedRandIndex(new int[] {0, 0, 1, 2}, new int[] {0, 0, 1, 1}),
        1e-12);
    // Hand count for [0,0,0,1,1,1] vs [0,0,1,1,2,2]: pairs together in both = 2, sumA = 6, sumB = 3, C(6,2) = 15,
    // expected = 6*3/15 = 1.2, max = 4.5, ARI = (2-1.2)/(4.5-1.2) = 0.2424...
    assertEquals(0.8 / 3.3, ClusterMetrics.adjustedRandIndex(new int[] {0, 0, 0, 1, 1, 1},
        new int[] {0, 0, 1, 1, 2, 2}), 1e-12);
  }

  @Test
  void informationMeasuresMatchHandValues() {
    int[] t = {0, 0, 1, 1};
    int[] p = {0, 0, 1, 2};
    // H(t) = ln 2; H(p) = 1.5 ln 2; MI = ln 2 (p refines t).
    double ln2 = Math.log(2);
    assertEquals(ln2, ClusterMetrics.mutualInformation(t, p), 1e-12);
    assertEquals(ln2 / (1.25 * ln2), ClusterMetrics.normalizedMutualInfo(t, p), 1e-12); // 0.8
    var hc = ClusterMetrics.homogeneityCompleteness(t, p);
    assertEquals(1.0, hc.homogeneity(), 1e-12);
    assertEquals(1 / 1.5, hc.completeness(), 1e-12);
    assertEquals(0.8, hc.vMeasure(), 1e-12);
    // sklearn docs: v_measure_score([0, 0, 1, 1], [0, 0, 0, 0]) == 0.0; homogeneity 0, completeness 1.
    var one = ClusterMetrics.homogeneityCompleteness(t, new int[] {0, 0, 0, 0});
    assertEquals(0.0, one.homogeneity(), 1e-12);
    assertEquals(1.0, one.completeness(), 1e-12);
    assertEquals(0.0, one.vMeasure(), 1e-12);
    assertEquals(1.0, ClusterMetrics.normalizedMutualInfo(new int[] {3, 3}, new int[] {7, 7}), 1e-12);
  }

  @Test
  void silhouetteByHand() {
    // Two clusters on a line: {0, 1} and {4, 5}.
    // Point 0: a = 1, b = (4+5)/2 = 4.5 -> 3.5/4.5; point 1: a = 1, b = 3.5 -> 2.5/3.5; symmetric for the others.
    double[][] x = {{0}, {1}, {4}, {5}, {100}};
    int[] labels = {0, 0, 1, 1, Hdbscan.NOISE};
    double expected = (3.5 / 4.5 + 2.5 / 3.5) / 2;
    assertEquals(expected, ClusterMetrics.silhouette(x, labels), 1e-12);
    assertThrows(IllegalArgumentException.class,
        () -> ClusterMetrics.silhouette(new double[][] {{0}, {1}}, new int[] {0, 0}));
  }

  @Test
  void sampledSilhouetteIsCloseToExactAndReproducible() {
    GaussianBlobs.Data d = GaussianBlobs.generate(3000, 4, 3, 1.0, 6, 0.0, 21);
    double[][] x = GaussianBlobs.toDouble(d.points());
    double exact = ClusterMetrics.silhouette(x, d.labels(), 3000, 1);
    double sampled = ClusterMetrics.silhouette(x, d.labels(), 800, 5);
    assertEquals(exact, sampled, 0.03);
    assertEquals(sampled, ClusterMetrics.silhouette(x, d.labels(), 800, 5), 0.0);
  }

  @Test
  void trustworthinessSampleRowsAreEvenlySpaced() {
    assertArrayEquals(new int[] {0, 2, 5, 7}, Trustworthiness.sampleIndices(10, 4));
    assertArrayEquals(new int[] {0, 1, 2}, Trustworthiness.sampleIndices(3, 2000));
  }

  @Test
  void noiseAndSizes() {
    int[] labels = {0, -1, 1, 1, -1, 0, 0};
    assertEquals(2.0 / 7, ClusterMetrics.noiseFraction(labels), 1e-12);
    assertArrayEquals(new int[] {3, 2}, ClusterMetrics.clusterSizes(labels));
    assertThrows(IllegalArgumentException.class, () -> ClusterMetrics.clusterSizes(new int[] {-2}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterMetrics.adjustedRandIndex(new int[] {0}, new int[] {0, 1}));
    assertEquals("labelsTrue has 1 entries but labelsPred has 2", e.getMessage());
  }

  @Test
  void trustworthinessPerfectAndByHand() {
    float[][] high = new float[12][];
    double[][] low = new double[12][];
    for (int i = 0; i < 12; i++) {
      high[i] = new float[] {i, 0, 0};
      low[i] = new double[] {2.0 * i};
    }
    assertEquals(1.0, Trustworthiness.of(high, low, 2), 1e-12);
    // Swap the embedded positions of points 0 and 11 (high: point j at j; rank of j from i = 1 + #closer, ties by
    // index). Point 0 (low 22): low neighbours 10, 9 with high ranks 10, 9 -> (10-2)+(9-2) = 15. Point 11 (low 0):
    // neighbours 1, 2 with ranks 10, 9 -> 15. Point 10 (low 20): neighbours 0 and 9 (both at 2); from 10, ten points
    // are closer than 0 -> rank 11 -> 9; 9 has rank 1 (ties with 11, smaller index). Point 1 (low 2): neighbours 11
    // (rank 11 -> 9) and 2 (rank 2 -> 0). All others keep true neighbours. Total 48;
    // T = 1 - 48 * 2 / (12 * 2 * (2*12 - 3*2 - 1)) = 1 - 96/408.
    double[] tmp = low[0];
    low[0] = low[11];
    low[11] = tmp;
    assertEquals(1 - 96.0 / 408.0, Trustworthiness.of(high, low, 2), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Trustworthiness.of(high, low, 6));
  }
}
