package org.humpback.pipelines.cluster;

import org.humpback.transforms.cluster.Metric;

/**
 * Test double for {@link Reductions}: keeps the first k coordinates. For tests of the job's plumbing whose assertions
 * do not depend on the projection (the plot coordinates); UMAP's own quality is tested with the real one.
 */
final class AxisReductions implements Reductions {

  @Override
  public double[][] pca(float[][] x, int components, long seed) {
    return first(x, components);
  }

  @Override
  public double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    return first(x, components);
  }

  private static double[][] first(float[][] x, int k) {
    double[][] out = new double[x.length][k];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < k && j < x[i].length; j++) {
        out[i][j] = x[i][j];
      }
    }
    return out;
  }
}
