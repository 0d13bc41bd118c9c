package org.humpback.transforms.cluster;

import java.util.stream.IntStream;

/**
 * Principal component analysis by eigen-decomposition of the covariance matrix ({@link SymmetricEigen}). For
 * embeddings (d up to a few thousand, n up to 10^5 and more) the d x d covariance is far smaller than the data, so
 * this beats an SVD of the data matrix. The covariance can be estimated on a subset of rows ({@code fitRows}); the
 * projection always covers every row.
 *
 * <p>Signs: each component is flipped so that its largest-magnitude loading is positive, which makes results
 * reproducible (eigenvectors are only defined up to sign).
 */
public final class Pca {
  private Pca() {}

  /**
   * A fitted projection.
   *
   * @param mean per-feature mean of the fitted rows
   * @param components k x d, unit rows, by decreasing variance
   * @param explainedVariance variance along each component (denominator n - 1, as sklearn)
   * @param explainedVarianceRatio explainedVariance divided by the total variance
   */
  public record Model(double[] mean, double[][] components, double[] explainedVariance,
                      double[] explainedVarianceRatio) implements java.io.Serializable {
    /** Projects rows onto the components (after centring). */
    public double[][] transform(float[][] x) {
      int d = Metric.checkMatrix(x, "x");
      if (x.length > 0 && d != mean.length) {
        throw new IllegalArgumentException("x has " + d + " columns but the model was fitted on " + mean.length);
      }
      int k = components.length;
      double[][] out = new double[x.length][k];
      IntStream.range(0, x.length).parallel().forEach(i -> {
        double[] c = new double[d];
        for (int j = 0; j < d; j++) {
          c[j] = x[i][j] - mean[j];
        }
        for (int m = 0; m < k; m++) {
          double[] comp = components[m];
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += c[j] * comp[j];
          }
          out[i][m] = s;
        }
      });
      return out;
    }
  }

  /** Fits on all rows. */
  public static Model fit(float[][] x, int nComponents) {
    return fit(x, nComponents, Integer.MAX_VALUE);
  }

  /**
   * Fits {@code nComponents} components. When x has more than {@code fitRows} rows, the covariance is estimated on
   * the evenly spaced rows floor(i * n / fitRows) (deterministic; the cost is fitRows * d^2 / 2).
   */
  public static Model fit(float[][] x, int nComponents, int fitRows) {
    return fit(x, nComponents, fitRows, 0);
  }

  /**
   * Approximate PCA for dimensionality reduction: the covariance's leading subspace is found by
   * {@code powerIterations} rounds of block power iteration with {@code nComponents + 10} vectors followed by
   * Rayleigh-Ritz (the randomized range finder of Halko, Martinsson &amp; Tropp 2011; sklearn's randomized solver
   * uses 7 rounds). Leading components with a clear eigen-gap come out accurate; components in a flat part of the
   * spectrum are only approximately ordered, which does not matter for neighbour search.
   */
  public static Model fitApproximate(float[][] x, int nComponents, int fitRows, int powerIterations) {
    if (powerIterations < 1) {
      throw new IllegalArgumentException("powerIterations must be >= 1, got " + powerIterations);
    }
    return fit(x, nComponents, fitRows, powerIterations);
  }

  private static Model fit(float[][] x, int nComponents, int fitRows, int powerIterations) {
    int d = Metric.checkMatrix(x, "x");
    int n = x.length;
    if (n < 2) {
      throw new IllegalArgumentException("PCA needs at least 2 rows, got " + n);
    }
    if (nComponents < 1 || nComponents > d) {
      throw new IllegalArgumentException("nComponents must be in [1, " + d + "], got " + nComponents);
    }
    if (fitRows < 2) {
      throw new IllegalArgumentException("fitRows must be >= 2, got " + fitRows);
    }
    int[] rows = Trustworthiness.sampleIndices(n, fitRows);
    int m = rows.length;
    double[] mean = new double[d];
    for (int r : rows) {
      for (int j = 0; j < d; j++) {
        mean[j] += x[r][j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= m;
    }
    double[][] cov = covariance(x, rows, mean);
    SymmetricEigen.Result eig;
    if (powerIterations > 0 && nComponents + APPROXIMATE_EXTRA < d) {
      eig = topEigen(cov, nComponents, APPROXIMATE_EXTRA, powerIterations);
    } else if ((nComponents + SUBSPACE_EXTRA) * 50 < d) {
      eig = topEigen(cov, nComponents);
    } else {
      eig = SymmetricEigen.decompose(cov);
    }
    double total = 0;
    for (int j = 0; j < d; j++) {
      total += cov[j][j];
    }
    double[][] comps = new double[nComponents][];
    double[] var = new double[nComponents];
    double[] ratio = new double[nComponents];
    for (int c = 0; c < nComponents; c++) {
      double[] v = eig.vectors()[c].clone();
      int arg = 0;
      for (int j = 1; j < d; j++) {
        if (Math.abs(v[j]) > Math.abs(v[arg])) {
          arg = j;
        }
      }
      if (v[arg] < 0) {
        for (int j = 0; j < d; j++) {
          v[j] = -v[j];
        }
      }
      comps[c] = v;
      var[c] = Math.max(0, eig.values()[c]);
      ratio[c] = total > 0 ? var[c] / total : 0;
    }
    return new Model(mean, comps, var, ratio);
  }

  /** Extra vectors carried by the subspace iteration; they speed up convergence of the wanted ones. */
  static final int SUBSPACE_EXTRA = 8;

  /**
   * Top eigenpairs of a symmetric positive semi-definite matrix by subspace (block power) iteration with
   * Rayleigh-Ritz: O(d^2 (k + 8)) per iteration instead of the O(d^3) full decomposition, used when only a few
   * components of a wide matrix are wanted (UMAP's 2-d initialisation of 1280-d embeddings).
   */
  static SymmetricEigen.Result topEigen(double[][] c, int k) {
    return topEigen(c, k, SUBSPACE_EXTRA, 300);
  }

  /** Oversampling used by {@link #fitApproximate}. */
  static final int APPROXIMATE_EXTRA = 10;

  /** Subspace iteration with {@code extra} additional vectors, stopping at convergence or after maxIterations. */
  static SymmetricEigen.Result topEigen(double[][] c, int k, int extra, int maxIterations) {
    int d = c.length;
    int m = Math.min(d, k + extra);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(0x9CAL);
    double[][] q = new double[m][d];
    for (double[] row : q) {
      for (int j = 0; j < d; j++) {
        row[j] = GaussianBlobs.gaussian(rnd);
      }
    }
    orthonormalise(q);
    double[] previous = new double[k];
    SymmetricEigen.Result small = null;
    for (int iter = 0; iter <= maxIterations; iter++) {
      double[][] z = multiply(c, q);
      // Rayleigh-Ritz on span(q): T = Q^T C Q, with C Q already in z.
      double[][] t = new double[m][m];
      for (int a = 0; a < m; a++) {
        for (int b = 0; b <= a; b++) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += q[a][j] * z[b][j];
          }
          t[a][b] = s;
          t[b][a] = s;
        }
      }
      small = SymmetricEigen.decompose(t);
      boolean converged = iter > 0;
      for (int i = 0; i < k; i++) {
        double v = small.values()[i];
        if (Math.abs(v - previous[i]) > 1e-12 * Math.max(1e-300, Math.abs(small.values()[0]))) {
          converged = false;
        }
        previous[i] = v;
      }
      if (converged || iter == maxIterations) {
        break;
      }
      q = z;
      orthonormalise(q);
    }
    double[] values = new double[k];
    double[][] vectors = new double[k][d];
    for (int i = 0; i < k; i++) {
      values[i] = small.values()[i];
      double[] coef = small.vectors()[i];
      for (int a = 0; a < m; a++) {
        for (int j = 0; j < d; j++) {
          vectors[i][j] += coef[a] * q[a][j];
        }
      }
    }
    return new SymmetricEigen.Result(values, vectors);
  }

  private static double[][] multiply(double[][] c, double[][] q) {
    int d = c.length;
    double[][] z = new double[q.length][d];
    IntStream.range(0, d).parallel().forEach(i -> {
      double[] ci = c[i];
      for (int a = 0; a < q.length; a++) {
        double[] qa = q[a];
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += ci[j] * qa[j];
        }
        z[a][i] = s;
      }
    });
    return z;
  }

  /**
   * Modified Gram-Schmidt on rows. A row that collapses (the matrix is rank deficient) is replaced by the first unit
   * basis vector that is not yet spanned; its eigenvalue is 0, so any orthogonal direction is correct.
   */
  private static void orthonormalise(double[][] q) {
    int d = q[0].length;
    for (int a = 0; a < q.length; a++) {
      for (int attempt = 0; ; attempt++) {
        double before = 0;
        for (double v : q[a]) {
          before += v * v;
        }
        for (int b = 0; b < a; b++) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += q[a][j] * q[b][j];
          }
          for (int j = 0; j < d; j++) {
            q[a][j] -= s * q[b][j];
          }
        }
        double norm = 0;
        for (double v : q[a]) {
          norm += v * v;
        }
        if (norm > 1e-20 * before && norm > 0) {
          norm = Math.sqrt(norm);
          for (int j = 0; j < d; j++) {
            q[a][j] /= norm;
          }
          break;
        }
        if (attempt >= d) {
          throw new IllegalStateException("cannot extend an orthonormal basis of size " + a + " in dimension " + d);
        }
        java.util.Arrays.fill(q[a], 0);
        q[a][attempt] = 1;
      }
    }
  }

  /**
   * Lower triangle (mirrored) of the sample covariance. Rows are centred in blocks; each covariance row i is updated
   * with axpy loops {@code cov[i][0..i] += x[r][i] * x[r][0..i]} that the JIT vectorises, and rows i are spread over
   * threads (interleaved so the triangular work balances).
   */
  static double[][] covariance(float[][] x, int[] rows, double[] mean) {
    int d = mean.length;
    int m = rows.length;
    double[][] cov = new double[d][];
    for (int i = 0; i < d; i++) {
      cov[i] = new double[i + 1];
    }
    final int block = 64;
    double[][] buf = new double[block][d];
    for (int b0 = 0; b0 < m; b0 += block) {
      int bn = Math.min(block, m - b0);
      for (int r = 0; r < bn; r++) {
        float[] src = x[rows[b0 + r]];
        double[] dst = buf[r];
        for (int j = 0; j < d; j++) {
          dst[j] = src[j] - mean[j];
        }
      }
      IntStream.range(0, d).parallel().forEach(ii -> {
        // Pair short and long rows so parallel chunks carry similar work.
        int i = (ii & 1) == 0 ? ii / 2 : d - 1 - ii / 2;
        double[] ci = cov[i];
        for (int r = 0; r < bn; r++) {
          double[] xr = buf[r];
          double a = xr[i];
          if (a == 0) {
            continue;
          }
          for (int j = 0; j <= i; j++) {
            ci[j] += a * xr[j];
          }
        }
      });
    }
    double[][] full = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double v = cov[i][j] / (m - 1);
        full[i][j] = v;
        full[j][i] = v;
      }
    }
    return full;
  }
}
