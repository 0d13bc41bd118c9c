package org.humpback.transforms.cluster;

import java.util.SplittableRandom;

/**
 * Synthetic isotropic Gaussian blobs plus uniform background noise, for tests and benchmarks (like sklearn's
 * make_blobs). Centres are drawn uniformly in [-centerBox, centerBox]^d; noise points are uniform in the box
 * enlarged by 3 standard deviations and carry the truth label {@link Hdbscan#NOISE}. Fully determined by the seed.
 */
public final class GaussianBlobs {
  private GaussianBlobs() {}

  /** Points (n x d) and their generating blob (or NOISE). Points of all blobs are interleaved (shuffled). */
  public record Data(float[][] points, int[] labels) {}

  public static Data generate(int n, int dims, int centers, double std, double centerBox, double noiseFraction,
                              long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (dims < 1) {
      throw new IllegalArgumentException("dims must be >= 1, got " + dims);
    }
    if (centers < 1) {
      throw new IllegalArgumentException("centers must be >= 1, got " + centers);
    }
    if (!(std > 0)) {
      throw new IllegalArgumentException("std must be > 0, got " + std);
    }
    if (!(noiseFraction >= 0 && noiseFraction < 1)) {
      throw new IllegalArgumentException("noiseFraction must be in [0, 1), got " + noiseFraction);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] c = new double[centers][dims];
    for (double[] row : c) {
      for (int j = 0; j < dims; j++) {
        row[j] = (rnd.nextDouble() * 2 - 1) * centerBox;
      }
    }
    int noise = (int) Math.round(n * noiseFraction);
    float[][] x = new float[n][dims];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      if (i < noise) {
        y[i] = Hdbscan.NOISE;
        for (int j = 0; j < dims; j++) {
          x[i][j] = (float) ((rnd.nextDouble() * 2 - 1) * (centerBox + 3 * std));
        }
      } else {
        int b = (i - noise) % centers;
        y[i] = b;
        for (int j = 0; j < dims; j++) {
          x[i][j] = (float) (c[b][j] + std * gaussian(rnd));
        }
      }
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      float[] tx = x[i];
      x[i] = x[j];
      x[j] = tx;
      int ty = y[i];
      y[i] = y[j];
      y[j] = ty;
    }
    return new Data(x, y);
  }

  static double gaussian(SplittableRandom rnd) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Widens float rows to double. */
  public static double[][] toDouble(float[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j];
      }
    }
    return out;
  }
}
