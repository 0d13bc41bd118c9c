package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcaTest {
  @Test
  void eigenDecompositionReconstructsRandomSymmetricMatrices() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n : new int[] {1, 2, 5, 40, 120}) {
      double[][] a = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          a[i][j] = a[j][i] = rnd.nextDouble() * 2 - 1;
        }
      }
      SymmetricEigen.Result r = SymmetricEigen.decompose(a);
      for (int c = 0; c < n; c++) {
        double[] v = r.vectors()[c];
        for (int i = 0; i < n; i++) {
          double av = 0;
          for (int j = 0; j < n; j++) {
            av += a[i][j] * v[j];
          }
          assertEquals(r.values()[c] * v[i], av, 1e-9, "A v = lambda v, n=" + n);
        }
        for (int c2 = 0; c2 < n; c2++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += v[i] * r.vectors()[c2][i];
          }
          assertEquals(c == c2 ? 1.0 : 0.0, dot, 1e-9, "orthonormal, n=" + n);
        }
        if (c > 0) {
          assertTrue(r.values()[c] <= r.values()[c - 1], "descending");
        }
      }
    }
    // Hand example: [[2,1],[1,2]] has eigenvalues 3 and 1.
    SymmetricEigen.Result r = SymmetricEigen.decompose(new double[][] {{2, 1}, {1, 2}});
    assertEquals(3, r.values()[0], 1e-12);
    assertEquals(1, r.values()[1], 1e-12);
  }

  @Test
  void subspaceIterationMatchesFullDecomposition() {
    // Covariance of 300 random 200-d rows with a few strong directions; compare the top 2 eigenpairs
    // (the third would sit in the noise bulk, where neighbouring eigenvalues nearly coincide).
    SplittableRandom rnd = new SplittableRandom(4);
    int d = 200;
    float[][] x = new float[300][d];
    for (float[] row : x) {
      double s1 = 5 * GaussianBlobs.gaussian(rnd);
      double s2 = 3 * GaussianBlobs.gaussian(rnd);
      for (int j = 0; j < d; j++) {
        row[j] = (float) (GaussianBlobs.gaussian(rnd) + (j < 20 ? s1 : 0) + (j % 3 == 0 ? s2 : 0));
      }
    }
    int[] rows = Trustworthiness.sampleIndices(x.length, x.length);
    double[] mean = new double[d];
    for (float[] row : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / x.length;
      }
    }
    double[][] cov = Pca.covariance(x, rows, mean);
    SymmetricEigen.Result full = SymmetricEigen.decompose(cov);
    SymmetricEigen.Result top = Pca.topEigen(cov, 2);
    for (int c = 0; c < 2; c++) {
      assertEquals(full.values()[c], top.values()[c], 1e-8 * full.values()[0]);
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += full.vectors()[c][j] * top.vectors()[c][j];
      }
      assertEquals(1.0, Math.abs(dot), 1e-5, "component " + c);
    }
    // Rank-deficient input (all zeros) must not hang or fail.
    SymmetricEigen.Result zero = Pca.topEigen(new double[50][50], 2);
    assertEquals(0.0, zero.values()[0], 0.0);
  }

  @Test
  void pcaFindsTheLongAxis() {
    // Points along direction (1, 2, 2)/3 with small noise: the first component is that direction.
    SplittableRandom rnd = new SplittableRandom(9);
    float[][] x = new float[500][3];
    for (int i = 0; i < x.length; i++) {
      double t = rnd.nextDouble() * 10 - 5;
      x[i][0] = (float) (1 + t / 3 + 0.01 * GaussianBlobs.gaussian(rnd));
      x[i][1] = (float) (-2 + 2 * t / 3 + 0.01 * GaussianBlobs.gaussian(rnd));
      x[i][2] = (float) (3 + 2 * t / 3 + 0.01 * GaussianBlobs.gaussian(rnd));
    }
    Pca.Model m = Pca.fit(x, 2);
    assertEquals(1 / 3.0, m.components()[0][0], 1e-3);
    assertEquals(2 / 3.0, m.components()[0][1], 1e-3);
    assertEquals(2 / 3.0, m.components()[0][2], 1e-3);
    assertTrue(m.explainedVarianceRatio()[0] > 0.999);
    // Variance of uniform(-5, 5) is 100/12.
    assertEquals(100 / 12.0, m.explainedVariance()[0], 0.8);
    double[][] proj = m.transform(x);
    assertEquals(2, proj[0].length);
    assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 4));
  }
}
