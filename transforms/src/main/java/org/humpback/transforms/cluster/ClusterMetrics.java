package org.humpback.transforms.cluster;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Clustering quality measures with scikit-learn's definitions and special cases, so figures can be compared with
 * {@code sklearn.metrics}. In the label-comparison measures every label value, including {@link Hdbscan#NOISE},
 * is an ordinary class (as sklearn does); {@link #silhouette} instead leaves noise points out.
 */
public final class ClusterMetrics {
  /** Above this many (non-noise) points the silhouette is computed on a seeded random sample of this size. */
  public static final int SILHOUETTE_DEFAULT_SAMPLE = 10_000;
  public static final long SILHOUETTE_DEFAULT_SEED = 42L;

  private ClusterMetrics() {}

  /** Contingency table between two labelings, with row/column sums. */
  private record Contingency(long n, long[] cells, long[] rowSums, long[] colSums) {}

  private static Contingency contingency(int[] a, int[] b) {
    if (a == null || b == null) {
      throw new IllegalArgumentException("labels must not be null");
    }
    if (a.length != b.length) {
      throw new IllegalArgumentException("labelsTrue has " + a.length + " entries but labelsPred has " + b.length);
    }
    int[] ra = dense(a);
    int[] rb = dense(b);
    int ka = 0;
    int kb = 0;
    for (int v : ra) {
      ka = Math.max(ka, v + 1);
    }
    for (int v : rb) {
      kb = Math.max(kb, v + 1);
    }
    Map<Long, long[]> cells = new HashMap<>();
    long[] rows = new long[ka];
    long[] cols = new long[kb];
    for (int i = 0; i < a.length; i++) {
      rows[ra[i]]++;
      cols[rb[i]]++;
      cells.computeIfAbsent(((long) ra[i] << 32) | rb[i], k -> new long[1])[0]++;
    }
    long[] c = new long[cells.size()];
    int j = 0;
    for (long[] v : cells.values()) {
      c[j++] = v[0];
    }
    return new Contingency(a.length, c, rows, cols);
  }

  /** Relabels to 0..k-1 in order of first appearance. */
  private static int[] dense(int[] labels) {
    Map<Integer, Integer> m = new HashMap<>();
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = m.computeIfAbsent(labels[i], k -> m.size());
    }
    return out;
  }

  private static double comb2(long x) {
    return x * (x - 1) / 2.0;
  }

  /** Adjusted Rand index (Hubert &amp; Arabie), 1 for identical partitions, about 0 for random ones. */
  public static double adjustedRandIndex(int[] labelsTrue, int[] labelsPred) {
    Contingency t = contingency(labelsTrue, labelsPred);
    int ka = t.rowSums().length;
    int kb = t.colSums().length;
    // sklearn's special cases: no data, one cluster each, or every point alone in both.
    if (t.n() == 0 || (ka == 1 && kb == 1) || (ka == t.n() && kb == t.n())) {
      return 1.0;
    }
    double index = 0;
    for (long c : t.cells()) {
      index += comb2(c);
    }
    double sa = 0;
    for (long r : t.rowSums()) {
      sa += comb2(r);
    }
    double sb = 0;
    for (long c : t.colSums()) {
      sb += comb2(c);
    }
    double expected = sa * sb / comb2(t.n());
    double max = (sa + sb) / 2;
    if (max == expected) {
      return 1.0;
    }
    return (index - expected) / (max - expected);
  }

  private static double entropy(long[] counts, long n) {
    double h = 0;
    for (long c : counts) {
      if (c > 0) {
        double p = (double) c / n;
        h -= p * Math.log(p);
      }
    }
    return h;
  }

  /** Mutual information in nats. */
  public static double mutualInformation(int[] labelsTrue, int[] labelsPred) {
    if (labelsTrue == null || labelsPred == null || labelsTrue.length != labelsPred.length) {
      contingency(labelsTrue, labelsPred); // throws the descriptive error
    }
    int[] a = dense(labelsTrue);
    int[] b = dense(labelsPred);
    long n = a.length;
    if (n == 0) {
      return 0;
    }
    Map<Long, long[]> cells = new HashMap<>();
    int ka = 0;
    int kb = 0;
    for (int i = 0; i < n; i++) {
      ka = Math.max(ka, a[i] + 1);
      kb = Math.max(kb, b[i] + 1);
      cells.computeIfAbsent(((long) a[i] << 32) | b[i], k -> new long[1])[0]++;
    }
    long[] ra = new long[ka];
    long[] rb = new long[kb];
    for (int i = 0; i < n; i++) {
      ra[a[i]]++;
      rb[b[i]]++;
    }
    double mi = 0;
    for (Map.Entry<Long, long[]> e : cells.entrySet()) {
      int i = (int) (e.getKey() >>> 32);
      int j = (int) (e.getKey() & 0xffffffffL);
      double nij = e.getValue()[0];
      mi += nij / n * Math.log(nij * n / ((double) ra[i] * rb[j]));
    }
    return Math.max(0, mi);
  }

  /** Normalised mutual information with the arithmetic-mean normaliser (sklearn's default). */
  public static double normalizedMutualInfo(int[] labelsTrue, int[] labelsPred) {
    Contingency t = contingency(labelsTrue, labelsPred);
    int ka = t.rowSums().length;
    int kb = t.colSums().length;
    if ((ka == 1 && kb == 1) || (ka == 0 && kb == 0)) {
      return 1.0;
    }
    double mi = mutualInformation(labelsTrue, labelsPred);
    double norm = (entropy(t.rowSums(), t.n()) + entropy(t.colSums(), t.n())) / 2;
    return mi / Math.max(norm, Math.ulp(1.0));
  }

  /** Homogeneity, completeness and their harmonic mean (beta = 1), as sklearn.metrics.homogeneity_completeness_v_measure. */
  public record HomogeneityCompleteness(double homogeneity, double completeness, double vMeasure) {}

  public static HomogeneityCompleteness homogeneityCompleteness(int[] labelsTrue, int[] labelsPred) {
    Contingency t = contingency(labelsTrue, labelsPred);
    if (t.n() == 0) {
      return new HomogeneityCompleteness(1, 1, 1);
    }
    double hc = entropy(t.rowSums(), t.n());
    double hk = entropy(t.colSums(), t.n());
    double mi = mutualInformation(labelsTrue, labelsPred);
    double h = hc > 0 ? mi / hc : 1.0;
    double c = hk > 0 ? mi / hk : 1.0;
    double v = h + c == 0 ? 0 : 2 * h * c / (h + c);
    return new HomogeneityCompleteness(h, c, v);
  }

  public static double homogeneity(int[] labelsTrue, int[] labelsPred) {
    return homogeneityCompleteness(labelsTrue, labelsPred).homogeneity();
  }

  public static double completeness(int[] labelsTrue, int[] labelsPred) {
    return homogeneityCompleteness(labelsTrue, labelsPred).completeness();
  }

  public static double vMeasure(int[] labelsTrue, int[] labelsPred) {
    return homogeneityCompleteness(labelsTrue, labelsPred).vMeasure();
  }

  /** Fraction of points labelled {@link Hdbscan#NOISE}. */
  public static double noiseFraction(int[] labels) {
    if (labels == null || labels.length == 0) {
      return 0;
    }
    long noise = Arrays.stream(labels).filter(l -> l == Hdbscan.NOISE).count();
    return (double) noise / labels.length;
  }

  /** Sizes of clusters 0..max(label); noise is not counted. */
  public static int[] clusterSizes(int[] labels) {
    int k = 0;
    for (int l : labels) {
      if (l < Hdbscan.NOISE) {
        throw new IllegalArgumentException("labels may only contain NOISE (-1) or cluster ids >= 0, got " + l);
      }
      k = Math.max(k, l + 1);
    }
    int[] sizes = new int[k];
    for (int l : labels) {
      if (l >= 0) {
        sizes[l]++;
      }
    }
    return sizes;
  }

  /** Mean euclidean silhouette over non-noise points, sampled above {@link #SILHOUETTE_DEFAULT_SAMPLE} points. */
  public static double silhouette(double[][] x, int[] labels) {
    return silhouette(x, labels, SILHOUETTE_DEFAULT_SAMPLE, SILHOUETTE_DEFAULT_SEED);
  }

  /**
   * Mean euclidean silhouette coefficient (Rousseeuw 1987) over the points whose label is not noise. When more than
   * {@code sampleSize} such points exist, a random subset of that size (drawn with {@code seed}) is scored against
   * itself, as sklearn's {@code silhouette_score(sample_size=...)} does; this keeps the cost at sampleSize^2 * d.
   * Points alone in their cluster score 0. Needs between 2 and (points - 1) clusters, like sklearn.
   */
  public static double silhouette(double[][] x, int[] labels, int sampleSize, long seed) {
    int d = Metric.checkMatrix(x, "x");
    if (labels == null || labels.length != x.length) {
      throw new IllegalArgumentException("labels has " + (labels == null ? "null" : labels.length)
          + " entries but x has " + x.length + " rows");
    }
    if (sampleSize < 2) {
      throw new IllegalArgumentException("sampleSize must be >= 2, got " + sampleSize);
    }
    int[] kept = IntStream.range(0, labels.length).filter(i -> labels[i] != Hdbscan.NOISE).toArray();
    if (kept.length > sampleSize) {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < sampleSize; i++) {
        int j = i + rnd.nextInt(kept.length - i);
        int t = kept[i];
        kept[i] = kept[j];
        kept[j] = t;
      }
      kept = Arrays.copyOf(kept, sampleSize);
    }
    int m = kept.length;
    int[] lab = new int[m];
    for (int i = 0; i < m; i++) {
      lab[i] = labels[kept[i]];
    }
    int[] cl = dense(lab);
    int k = 0;
    for (int c : cl) {
      k = Math.max(k, c + 1);
    }
    if (k < 2 || k > m - 1) {
      throw new IllegalArgumentException("silhouette needs 2 <= clusters <= points - 1, got " + k
          + " clusters over " + m + " non-noise points");
    }
    int[] counts = new int[k];
    for (int c : cl) {
      counts[c]++;
    }
    final int kk = k;
    final int[] keptF = kept;
    double sum = IntStream.range(0, m).parallel().mapToDouble(i -> {
      double[] sums = new double[kk];
      double[] xi = x[keptF[i]];
      for (int j = 0; j < m; j++) {
        if (j != i) {
          sums[cl[j]] += Math.sqrt(KdTree.distSq(xi, x[keptF[j]]));
        }
      }
      int own = cl[i];
      if (counts[own] == 1) {
        return 0.0;
      }
      double a = sums[own] / (counts[own] - 1);
      double b = Double.POSITIVE_INFINITY;
      for (int c = 0; c < kk; c++) {
        if (c != own) {
          b = Math.min(b, sums[c] / counts[c]);
        }
      }
      double den = Math.max(a, b);
      return den == 0 ? 0.0 : (b - a) / den;
    }).sum();
    return sum / m;
  }
}
