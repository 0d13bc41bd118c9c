package org.humpback.pipelines.cluster;

import java.io.Serializable;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.cluster.Umap;

/**
 * The dimensionality reductions the clustering step uses. {@link #standard()} is the transforms module's PCA and UMAP;
 * tests may pass others. Implementations are serializable because they travel inside a Beam DoFn.
 */
public interface Reductions extends Serializable {

  /** Projects the rows (n x d, n &ge; 2) onto their first {@code components} principal components (1 &le; components &le; d). */
  double[][] pca(float[][] x, int components, long seed);

  /**
   * UMAP of the rows to {@code components} dimensions.
   *
   * @param nNeighbors already clamped by the caller to {@code [2, n-1]}
   */
  double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed);

  /** The transforms module's implementations. */
  static Reductions standard() {
    return StandardReductions.INSTANCE;
  }

  /**
   * The {@link Umap.Params} {@link #standard()} fits {@code n} points with (its thread rule included), for benchmarks
   * that time the product's UMAP stage by stage.
   */
  static Umap.Params umapParams(int n, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    return StandardReductions.params(n, components, nNeighbors, minDist, metric, seed);
  }
}
