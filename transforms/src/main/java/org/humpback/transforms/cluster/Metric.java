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

  /** Checks a data matrix: rectangular, at least one column, finite values. Messages name the row and column. */
  static int checkMatrix(double[][] rows, String name) {
    if (rows == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (rows.length == 0) {
      return 0;
    }
    int d = rows[0] == null ? -1 : rows[0].length;
    if (d < 1) {
      throw new IllegalArgumentException(name + "[0] must have at least one column, got " + (d < 0 ? "null" : d));
    }
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null || rows[i].length != d) {
        throw new IllegalArgumentException(name + "[" + i + "] has " + (rows[i] == null ? "null" : rows[i].length)
            + " columns, expected " + d + " like row 0");
      }
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(rows[i][j])) {
          throw new IllegalArgumentException(name + "[" + i + "][" + j + "] is " + rows[i][j] + "; values must be finite");
        }
      }
    }
    return d;
  }

  /** Float variant of {@link #checkMatrix(double[][], String)}. */
  static int checkMatrix(float[][] rows, String name) {
    if (rows == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (rows.length == 0) {
      return 0;
    }
    int d = rows[0] == null ? -1 : rows[0].length;
    if (d < 1) {
      throw new IllegalArgumentException(name + "[0] must have at least one column, got " + (d < 0 ? "null" : d));
    }
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null || rows[i].length != d) {
        throw new IllegalArgumentException(name + "[" + i + "] has " + (rows[i] == null ? "null" : rows[i].length)
            + " columns, expected " + d + " like row 0");
      }
      for (int j = 0; j < d; j++) {
        if (!Float.isFinite(rows[i][j])) {
          throw new IllegalArgumentException(name + "[" + i + "][" + j + "] is " + rows[i][j] + "; values must be finite");
        }
      }
    }
    return d;
  }
}
