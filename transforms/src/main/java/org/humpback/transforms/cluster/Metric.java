package org.humpback.transforms.cluster;

/**
 * Distance used by the clustering algorithms.
 *
 * <p>{@link #COSINE} is implemented as euclidean distance on L2-normalised copies of the vectors: for unit vectors
 * {@code |a-b|^2 = 2 (1 - cos(a,b))}, so neighbour orderings and density hierarchies are those of cosine distance
 * while KD-trees and other euclidean machinery stay usable. Zero vectors have no direction and are rejected.
 */
public enum Metric {
  EUCLIDEAN,
  COSINE;

  /**
   * Returns a new outer array whose rows are L2-normalised copies ({@link #COSINE}) or the caller's own rows
   * ({@link #EUCLIDEAN}: no copy, so 100k x 1280 inputs are not duplicated). Callers must not modify the rows.
   */
  double[][] prepare(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      if (this == COSINE) {
        out[i] = rows[i].clone();
        normaliseInPlace(out[i], i);
      } else {
        out[i] = rows[i];
      }
    }
    return out;
  }

  /** Float variant of {@link #prepare(double[][])}, with the same sharing rule. */
  float[][] prepare(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = this == COSINE ? rows[i].clone() : rows[i];
      if (this == COSINE) {
        double s = 0;
        for (float v : out[i]) {
          s += (double) v * v;
        }
        if (!(s > 0) || Double.isInfinite(s)) {
          throw new IllegalArgumentException("metric COSINE: row " + i + " has norm " + Math.sqrt(s)
              + "; cosine distance is undefined for zero or non-finite vectors");
        }
        float inv = (float) (1.0 / Math.sqrt(s));
        for (int j = 0; j < out[i].length; j++) {
          out[i][j] *= inv;
        }
      }
    }
    return out;
  }

  private static void normaliseInPlace(double[] v, int row) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    if (!(s > 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException("metric COSINE: row " + row + " has norm " + Math.sqrt(s)
          + "; cosine distance is undefined for zero or non-finite vectors");
    }
    double inv = 1.0 / Math.sqrt(s);
    for (int j = 0; j < v.length; j++) {
      v[j] *= inv;
    }
  }

  /**
   * Cosine similarity of two vectors of one length, summed in double: what the tests and benchmarks
   * report when they compare embeddings of one recording through two codecs. {@code NaN} when either
   * vector is zero.
   */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("cosine of vectors of different lengths: " + a.length + " and " + b.length);
    }
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  /** Checks a data matrix: rectangular, at least one column, finite values. Messages name the row and column. */
  static int checkMatrix(double[][] rows, String name) {
    return checkMatrix(rows == null ? -1 : rows.length, i -> rows[i] == null ? -1 : rows[i].length,
        (i, j) -> rows[i][j], name);
  }

  /** Float variant of {@link #checkMatrix(double[][], String)}. */
  static int checkMatrix(float[][] rows, String name) {
    return checkMatrix(rows == null ? -1 : rows.length, i -> rows[i] == null ? -1 : rows[i].length,
        (i, j) -> rows[i][j], name);
  }

  /** A matrix cell, widened to double (a float's finiteness and printed NaN/Infinity are kept). */
  private interface Cell {
    double at(int row, int col);
  }

  /** The checks of both {@code checkMatrix} overloads; {@code n} and a row's width are -1 for null. */
  private static int checkMatrix(int n, java.util.function.IntUnaryOperator width, Cell cell, String name) {
    if (n < 0) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (n == 0) {
      return 0;
    }
    int d = width.applyAsInt(0);
    if (d < 1) {
      throw new IllegalArgumentException(name + "[0] must have at least one column, got " + (d < 0 ? "null" : d));
    }
    for (int i = 0; i < n; i++) {
      int w = width.applyAsInt(i);
      if (w != d) {
        throw new IllegalArgumentException(name + "[" + i + "] has " + (w < 0 ? "null" : w)
            + " columns, expected " + d + " like row 0");
      }
      for (int j = 0; j < d; j++) {
        double v = cell.at(i, j);
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException(name + "[" + i + "][" + j + "] is " + v + "; values must be finite");
        }
      }
    }
    return d;
  }
}
