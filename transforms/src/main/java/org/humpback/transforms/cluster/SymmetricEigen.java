package org.humpback.transforms.cluster;

/**
 * Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form followed by the implicit
 * QL algorithm (the EISPACK tred2/tql2 pair, as in the public-domain JAMA package). O(d^3); all eigenpairs.
 *
 * <p>The working matrix is kept transposed with respect to the textbook formulation ({@code w[j][k]} holds
 * the textbook {@code V[k][j]}) so the innermost loops walk along rows: for d = 1280 that is the difference between
 * cache-friendly and cache-hostile access.
 */
public final class SymmetricEigen {
  /**
   * Eigenvalues in descending order and the matching unit eigenvectors as rows.
   *
   * @param values eigenvalues, largest first
   * @param vectors vectors[i] is the eigenvector of values[i]
   */
  public record Result(double[] values, double[][] vectors) {}

  private SymmetricEigen() {}

  /** Decomposes the symmetric matrix {@code a} (only its lower triangle is read). The input is not modified. */
  public static Result decompose(double[][] a) {
    if (a == null) {
      throw new IllegalArgumentException("matrix must not be null");
    }
    int n = a.length;
    for (int i = 0; i < n; i++) {
      if (a[i] == null || a[i].length != n) {
        throw new IllegalArgumentException("matrix must be square: row " + i + " has "
            + (a[i] == null ? "null" : a[i].length) + " columns, expected " + n);
      }
      for (int j = 0; j <= i; j++) {
        if (!Double.isFinite(a[i][j])) {
          throw new IllegalArgumentException("matrix[" + i + "][" + j + "] is " + a[i][j] + "; must be finite");
        }
      }
    }
    if (n == 0) {
      return new Result(new double[0], new double[0][]);
    }
    double[][] w = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        w[i][j] = a[i][j];
        w[j][i] = a[i][j];
      }
    }
    double[] d = new double[n];
    double[] e = new double[n];
    tred2(w, d, e, n);
    tql2(w, d, e, n);
    // tql2 leaves ascending order; return descending.
    double[] values = new double[n];
    double[][] vectors = new double[n][];
    for (int i = 0; i < n; i++) {
      values[i] = d[n - 1 - i];
      vectors[i] = w[n - 1 - i];
    }
    return new Result(values, vectors);
  }

  /** Householder tridiagonalisation; w (transposed V) ends holding the accumulated orthogonal transform. */
  private static void tred2(double[][] w, double[] d, double[] e, int n) {
    for (int j = 0; j < n; j++) {
      d[j] = w[j][n - 1];
    }
    for (int i = n - 1; i > 0; i--) {
      double scale = 0.0;
      double h = 0.0;
      for (int k = 0; k < i; k++) {
        scale += Math.abs(d[k]);
      }
      if (scale == 0.0) {
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
          d[j] = w[j][i - 1];
          w[j][i] = 0.0;
          w[i][j] = 0.0;
        }
      } else {
        for (int k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = Math.sqrt(h);
        if (f > 0) {
          g = -g;
        }
        e[i] = scale * g;
        h = h - f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) {
          e[j] = 0.0;
        }
        for (int j = 0; j < i; j++) {
          f = d[j];
          double[] wj = w[j];
          w[i][j] = f;
          g = e[j] + wj[j] * f;
          for (int k = j + 1; k <= i - 1; k++) {
            g += wj[k] * d[k];
            e[k] += wj[k] * f;
          }
          e[j] = g;
        }
        f = 0.0;
        for (int j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) {
          e[j] -= hh * d[j];
        }
        for (int j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          double[] wj = w[j];
          for (int k = j; k <= i - 1; k++) {
            wj[k] -= (f * e[k] + g * d[k]);
          }
          d[j] = wj[i - 1];
          wj[i] = 0.0;
        }
      }
      d[i] = h;
    }
    for (int i = 0; i < n - 1; i++) {
      w[i][n - 1] = w[i][i];
      w[i][i] = 1.0;
      double h = d[i + 1];
      double[] wi1 = w[i + 1];
      if (h != 0.0) {
        for (int k = 0; k <= i; k++) {
          d[k] = wi1[k] / h;
        }
        for (int j = 0; j <= i; j++) {
          double[] wj = w[j];
          double g = 0.0;
          for (int k = 0; k <= i; k++) {
            g += wi1[k] * wj[k];
          }
          for (int k = 0; k <= i; k++) {
            wj[k] -= g * d[k];
          }
        }
      }
      for (int k = 0; k <= i; k++) {
        wi1[k] = 0.0;
      }
    }
    for (int j = 0; j < n; j++) {
      d[j] = w[j][n - 1];
      w[j][n - 1] = 0.0;
    }
    w[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
  }

  /** Implicit QL on the tridiagonal (d, e); rotations applied to rows of w, which become eigenvectors. */
  private static void tql2(double[][] w, double[] d, double[] e, int n) {
    for (int i = 1; i < n; i++) {
      e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    double f = 0.0;
    double tst1 = 0.0;
    double eps = Math.ulp(1.0);
    for (int l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      int m = l;
      while (m < n) {
        if (Math.abs(e[m]) <= eps * tst1) {
          break;
        }
        m++;
      }
      if (m > l) {
        int iter = 0;
        do {
          if (++iter > 300) {
            throw new ArithmeticException("symmetric eigen-decomposition did not converge (index " + l + ")");
          }
          double g = d[l];
          double p = (d[l + 1] - g) / (2.0 * e[l]);
          double r = Math.hypot(p, 1.0);
          if (p < 0) {
            r = -r;
          }
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          double dl1 = d[l + 1];
          double h = g - d[l];
          for (int i = l + 2; i < n; i++) {
            d[i] -= h;
          }
          f = f + h;
          p = d[m];
          double c = 1.0;
          double c2 = c;
          double c3 = c;
          double el1 = e[l + 1];
          double s = 0.0;
          double s2 = 0.0;
          for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            double[] wi = w[i];
            double[] wi1 = w[i + 1];
            for (int k = 0; k < n; k++) {
              h = wi1[k];
              wi1[k] = s * wi[k] + c * h;
              wi[k] = c * wi[k] - s * h;
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > eps * tst1);
      }
      d[l] = d[l] + f;
      e[l] = 0.0;
    }
    // Selection sort into ascending order (n swaps of row references only).
    for (int i = 0; i < n - 1; i++) {
      int k = i;
      double p = d[i];
      for (int j = i + 1; j < n; j++) {
        if (d[j] < p) {
          k = j;
          p = d[j];
        }
      }
      if (k != i) {
        d[k] = d[i];
        d[i] = p;
        double[] t = w[i];
        w[i] = w[k];
        w[k] = t;
      }
    }
  }
}
