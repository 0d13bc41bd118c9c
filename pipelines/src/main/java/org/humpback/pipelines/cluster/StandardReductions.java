package org.humpback.pipelines.cluster;

import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.cluster.Pca;
import org.humpback.transforms.cluster.Umap;

/**
 * {@link Reductions#standard()}: the transforms module's {@link Pca} and {@link Umap}.
 *
 * <p>Reproducibility: like umap-learn, which runs single-threaded once {@code random_state} is set, UMAP's SGD runs on
 * one thread up to {@link #SINGLE_THREAD_MAX} points, so a seed gives the same layout every time. Above that the
 * Hogwild SGD uses every core (umap-learn's speed, layouts vary slightly between runs; the neighbour graph does not).
 */
enum StandardReductions implements Reductions {
  INSTANCE;

  static final int SINGLE_THREAD_MAX = 20_000;

  @Override
  public double[][] pca(float[][] x, int components, long seed) {
    return Pca.fit(x, components).transform(x);
  }

  @Override
  public double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    return Umap.fit(x, params(x.length, components, nNeighbors, minDist, metric, seed)).embedding();
  }

  /** The same UMAP, keeping what places new points ({@link Umap.Model#transform}). */
  static Umap.Model umapModel(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    return Umap.fitModel(x, params(x.length, components, nNeighbors, minDist, metric, seed));
  }

  static Umap.Params params(int n, int components, int nNeighbors, double minDist, Metric metric, long seed) {
    int threads = n <= SINGLE_THREAD_MAX ? 1 : Runtime.getRuntime().availableProcessors();
    return Umap.Params.defaults().withNComponents(components).withNNeighbors(nNeighbors).withMinDist(minDist)
        .withMetric(metric).withRandomSeed(seed).withThreads(threads);
  }
}
