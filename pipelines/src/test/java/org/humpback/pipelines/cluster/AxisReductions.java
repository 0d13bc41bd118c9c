package org.humpback.pipelines.cluster;

import java.util.Arrays;
import org.humpback.transforms.cluster.Metric;

/**
 * Test double for {@link Reductions}: keeps the first k coordinates. For tests of the job's plumbing whose assertions
 * do not depend on the projection (the plot coordinates); UMAP's own quality is tested with the real one.
 */
final class AxisReductions implements Reductions {

  @Override
  public double[][] pca(double[][] x, int components, long seed) {
    return first(x, components);
  }

  @Override
  public double[][] umap(double[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    return first(x, components);
  }

  private static double[][] first(double[][] x, int k) {
    return Arrays.stream(x).map(r -> Arrays.copyOf(r, k)).toArray(double[][]::new);
  }
}
