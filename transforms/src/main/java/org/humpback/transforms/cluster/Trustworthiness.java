package org.humpback.transforms.cluster;

import java.util.stream.IntStream;

/**
 * Trustworthiness of an embedding (Venna &amp; Kaski 2001) with scikit-learn's definition
 * ({@code sklearn.manifold.trustworthiness}, euclidean in both spaces):
 * {@code T(k) = 1 - 2/(n k (2n - 3k - 1)) * sum_i sum_{j in kNN_low(i)} max(0, rank_high(i, j) - k)}, where
 * rank_high is the 1-based rank of j among i's neighbours in the original space (ties broken by index, like a stable
 * argsort). It penalises embedded neighbours that were not neighbours originally.
 *
 * <p>The exact value costs n^2 * d. {@link #sampled} scores the subset of rows {@code floor(i * n / m)},
 * i = 0..m-1, against itself: an evenly spaced, RNG-free choice that the Python comparison script reproduces exactly.
 */
public final class Trustworthiness {
  public static final int DEFAULT_K = 5;
  public static final int DEFAULT_SAMPLE = 2_000;

  private Trustworthiness() {}

  /** Exact trustworthiness with k neighbours. Requires k &lt; n / 2, as sklearn. */
  public static double of(float[][] high, double[][] low, int k) {
    int dh = Metric.checkMatrix(high, "high");
    int dl = Metric.checkMatrix(low, "low");
    int n = high.length;
    if (low.length != n) {
      throw new IllegalArgumentException("high has " + n + " rows but low has " + low.length);
    }
    if (k < 1 || k >= n / 2.0) {
      throw new IllegalArgumentException("k must be in [1, n/2) = [1, " + (n / 2.0) + "), got " + k);
    }
    double penalty = IntStream.range(0, n).parallel().mapToDouble(i -> {
      double[] dLow = new double[n];
      for (int j = 0; j < n; j++) {
        dLow[j] = j == i ? Double.POSITIVE_INFINITY : KdTree.distSq(low[i], low[j]);
      }
      int[] nnLow = smallestK(dLow, k);
      double[] dHigh = new double[n];
      for (int j = 0; j < n; j++) {
        dHigh[j] = j == i ? Double.POSITIVE_INFINITY : distSq(high[i], high[j]);
      }
      double p = 0;
      for (int j : nnLow) {
        int rank = 1;
        double dj = dHigh[j];
        for (int l = 0; l < n; l++) {
          if (l != i && (dHigh[l] < dj || (dHigh[l] == dj && l < j))) {
            rank++;
          }
        }
        p += Math.max(0, rank - k);
      }
      return p;
    }).sum();
    return 1.0 - penalty * (2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)));
  }

  /** Trustworthiness of the evenly spaced subset of {@code sampleSize} rows (all rows if n is not larger). */
  public static double sampled(float[][] high, double[][] low, int k, int sampleSize) {
    int[] idx = sampleIndices(high.length, sampleSize);
    float[][] h = new float[idx.length][];
    double[][] l = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      h[i] = high[idx[i]];
      l[i] = low[idx[i]];
    }
    return of(h, l, k);
  }

  /** Rows floor(i * n / m) for i in [0, m); all rows when n &lt;= m. */
  public static int[] sampleIndices(int n, int sampleSize) {
    if (sampleSize < 1) {
      throw new IllegalArgumentException("sampleSize must be >= 1, got " + sampleSize);
    }
    int m = Math.min(n, sampleSize);
    int[] idx = new int[m];
    for (int i = 0; i < m; i++) {
      idx[i] = (int) ((long) i * n / m);
    }
    return idx;
  }

  static double distSq(float[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double t = (double) a[j] - b[j];
      s += t * t;
    }
    return s;
  }

  /** Indices of the k smallest values, ties by index. */
  private static int[] smallestK(double[] d, int k) {
    int[] best = new int[k];
    double[] bd = new double[k];
    int size = 0;
    for (int j = 0; j < d.length; j++) {
      double v = d[j];
      if (size == k && !(v < bd[k - 1])) {
        continue;
      }
      int pos = size < k ? size++ : k - 1;
      while (pos > 0 && v < bd[pos - 1]) {
        bd[pos] = bd[pos - 1];
        best[pos] = best[pos - 1];
        pos--;
      }
      bd[pos] = v;
      best[pos] = j;
    }
    return best;
  }
}
