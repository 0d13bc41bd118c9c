package org.humpback.pipelines.cluster;

import org.humpback.transforms.cluster.Metric;

/** {@link Reductions#standard()}: the transforms module's PCA and UMAP. */
enum StandardReductions implements Reductions {
  INSTANCE;

  @Override
  public double[][] pca(double[][] x, int components, long seed) {
    // TODO(clusterpipe): wire org.humpback.transforms.cluster.Pca once the cluster branch has it.
    throw new UnsupportedOperationException("PCA is not available yet (org.humpback.transforms.cluster.Pca)");
  }

  @Override
  public double[][] umap(double[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    // TODO(clusterpipe): wire org.humpback.transforms.cluster.Umap once the cluster branch has it.
    throw new UnsupportedOperationException("UMAP is not available yet (org.humpback.transforms.cluster.Umap)");
  }
}
