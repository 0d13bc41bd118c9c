package org.humpback.pipelines.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.Hdbscan;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.cluster.Pca;
import org.humpback.transforms.cluster.Umap;

/**
 * The clustering step on gathered vectors, in plain Java: optional PCA, optional UMAP to {@code umap_n_components}
 * (the clustering space), HDBSCAN once per {@code min_cluster_size} of a sweep on that one space, and 2-D plot
 * coordinates.
 *
 * <p>Where the metric applies: with UMAP, {@code metric} is UMAP's input metric and HDBSCAN clusters the UMAP output
 * with euclidean distance (as umap-learn + hdbscan are used together); without UMAP, HDBSCAN uses {@code metric}
 * directly. The silhouette is computed in the clustering space, on L2-normalised vectors when HDBSCAN used cosine.
 *
 * <p>Plot coordinates ({@code umap_x, umap_y}): the clustering space itself when it is 2-D; otherwise a separate 2-D
 * UMAP of the (PCA-reduced) input with the same neighbours, min_dist and seed; a 1-D space is plotted as (x, 0).
 *
 * <p>Tiny inputs: {@code umap_n_neighbors} is clamped to n-1; with fewer than {@link #MIN_POINTS_FOR_UMAP} points
 * UMAP is skipped and the (PCA-reduced) vectors are the clustering space; PCA components are clamped to
 * min(n, d). With fewer points than min_cluster_size HDBSCAN labels everything noise, and metrics that need two
 * clusters (silhouette) are reported as null.
 */
public final class ClusteringStep {

  /** Below this many points UMAP's neighbour graph is degenerate, so it is skipped. */
  public static final int MIN_POINTS_FOR_UMAP = 4;

  private ClusteringStep() {}

  /**
   * One HDBSCAN run of a sweep.
   *
   * @param probabilities HDBSCAN's membership strength per point (0 for noise)
   * @param metrics JSON-ready metrics (see {@link #metrics})
   */
  public record Run(int minClusterSize, int[] labels, double[] probabilities, Map<String, Object> metrics) {}

  /**
   * @param space the clustering space (n x k) HDBSCAN saw
   * @param plot 2-D coordinates per point
   * @param runs one per min_cluster_size, in the parameters' order; {@code runs.get(0)} is the stored one
   * @param notes what was adapted for the input (clamped neighbours, skipped UMAP), for the job's metrics
   */
  public record Result(double[][] space, double[][] plot, List<Run> runs, List<String> notes) {
    public Run stored() {
      return runs.get(0);
    }
  }

  /**
   * Clusters the rows of {@code x}.
   *
   * @param truth per point label of {@code label_field} (null entries = unlabelled), or null for no label metrics
   */
  public static Result run(float[][] x, ClusteringParameters p, Reductions reductions, String[] truth) {
    return run(x, p, reductions, truth, false).result();
  }

  /** A clustering of a sample and the models that assign further windows to it ({@code model} null unless kept). */
  record Fitted(Result result, ClusteringModel model) {}

  /**
   * Like {@link #run}, with the transforms module's PCA, UMAP and HDBSCAN (the standard reductions), keeping the
   * fitted models so that other windows can be placed and labelled afterwards ({@link ClusteringModel#assign}).
   */
  static Fitted fit(float[][] x, ClusteringParameters p, String[] truth) {
    return run(x, p, Reductions.standard(), truth, true);
  }

  private static Fitted run(float[][] x, ClusteringParameters p, Reductions reductions, String[] truth,
                            boolean keepModel) {
    int n = x.length;
    if (n == 0) {
      throw new IllegalArgumentException("Nothing to cluster: the selected embedding sets hold no vectors");
    }
    if (truth != null && truth.length != n) {
      throw new IllegalArgumentException("truth has " + truth.length + " entries for " + n + " points");
    }
    List<String> notes = new ArrayList<>();
    float[][] data = x;
    Pca.Model pcaModel = null;
    Umap.Model spaceModel = null;
    Umap.Model plotModel = null;
    int d = data[0].length;
    for (int i = 0; i < n; i++) {
      if (x[i].length != d) {
        throw new IllegalArgumentException("Row " + i + " has " + x[i].length + " values, row 0 has " + d);
      }
    }

    if (p.pcaComponents() != null && p.pcaComponents() < d && n >= 2) {
      int k = Math.min(p.pcaComponents(), n);
      if (k != p.pcaComponents()) {
        notes.add("pca_components clamped to " + k + " (only " + n + " points)");
      }
      if (keepModel) {
        pcaModel = Pca.fit(data, k);
        data = toFloat(pcaModel.transform(data));
      } else {
        data = toFloat(reductions.pca(data, k, p.randomSeed()));
      }
    }

    boolean umapUsed = p.useUmap() && n >= MIN_POINTS_FOR_UMAP;
    if (p.useUmap() && !umapUsed) {
      notes.add("UMAP skipped: " + n + " points (< " + MIN_POINTS_FOR_UMAP + ")");
    }
    int neighbours = Math.max(2, Math.min(p.umapNNeighbors(), n - 1));
    if (umapUsed && neighbours != p.umapNNeighbors()) {
      notes.add("umap_n_neighbors clamped to " + neighbours + " (only " + n + " points)");
    }
    double[][] space;
    if (umapUsed && keepModel) {
      spaceModel = StandardReductions.umapModel(data, p.umapNComponents(), neighbours, p.umapMinDist(), p.metric(),
          p.randomSeed());
      space = spaceModel.result().embedding();
    } else {
      space = umapUsed
          ? reductions.umap(data, p.umapNComponents(), neighbours, p.umapMinDist(), p.metric(), p.randomSeed())
          : toDouble(data);
    }
    Metric hdbscanMetric = umapUsed ? Metric.EUCLIDEAN : p.metric();

    double[][] plot;
    if (space[0].length == 2) {
      plot = space;
    } else if (space[0].length == 1) {
      plot = new double[n][];
      for (int i = 0; i < n; i++) {
        plot[i] = new double[] {space[i][0], 0.0};
      }
    } else if (n >= MIN_POINTS_FOR_UMAP && keepModel) {
      plotModel = StandardReductions.umapModel(data, 2, neighbours, p.umapMinDist(), p.metric(), p.randomSeed());
      plot = plotModel.result().embedding();
    } else if (n >= MIN_POINTS_FOR_UMAP) {
      plot = reductions.umap(data, 2, neighbours, p.umapMinDist(), p.metric(), p.randomSeed());
    } else {
      plot = new double[n][];
      for (int i = 0; i < n; i++) {
        plot[i] = new double[] {space[i][0], space[i][1]};
      }
      notes.add("plot coordinates are the first two dimensions (too few points for UMAP)");
    }

    double[][] silhouetteSpace = hdbscanMetric == Metric.COSINE ? normalised(space) : space;
    List<Run> runs = new ArrayList<>();
    Hdbscan.Model stored = null;
    for (int mcs : p.minClusterSizes()) {
      Hdbscan.Params hp = Hdbscan.Params.defaults().withMinClusterSize(mcs).withMinSamples(p.minSamples())
          .withMetric(hdbscanMetric);
      Hdbscan.Result r;
      if (keepModel && stored == null) {
        stored = Hdbscan.fitModel(space, hp);
        r = stored.result();
      } else {
        r = Hdbscan.fit(space, hp);
      }
      int[] labels = r.labels();
      runs.add(new Run(mcs, labels, r.probabilities(),
          metrics(mcs, hp.effectiveMinSamples(), labels, silhouetteSpace, truth, p.labelField())));
    }
    Result result = new Result(space, plot, runs, notes);
    return new Fitted(result, keepModel
        ? new ClusteringModel(p.metric(), pcaModel, spaceModel, plotModel, stored, space[0].length, null, plot, null) : null);
  }

  /**
   * The metrics of one labelling: n_windows, n_clusters, n_noise, noise_fraction, cluster_sizes ({label: size}),
   * silhouette (null when fewer than 2 clusters; on a seeded sample of silhouette_sample non-noise points when there
   * are more, see {@link #silhouetteSample}); with a label field also n_labelled, n_label_values, ari, nmi,
   * homogeneity and completeness over the labelled windows (noise counts as one more predicted class, as in sklearn).
   */
  static Map<String, Object> metrics(int minClusterSize, int minSamples, int[] labels, double[][] space, String[] truth,
                                     String labelField) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min_cluster_size", minClusterSize);
    m.put("min_samples", minSamples);
    m.put("n_windows", labels.length);
    int[] sizes = ClusterMetrics.clusterSizes(labels);
    m.put("n_clusters", sizes.length);
    long noise = java.util.Arrays.stream(labels).filter(l -> l == Hdbscan.NOISE).count();
    m.put("n_noise", noise);
    m.put("noise_fraction", ClusterMetrics.noiseFraction(labels));
    Map<String, Integer> sizeMap = new LinkedHashMap<>();
    for (int i = 0; i < sizes.length; i++) {
      sizeMap.put(Integer.toString(i), sizes[i]);
    }
    m.put("cluster_sizes", sizeMap);
    long clustered = labels.length - noise;
    int sample = silhouetteSample(space.length == 0 ? 1 : space[0].length);
    m.put("silhouette", sizes.length >= 2 && clustered > sizes.length
        ? finiteOrNull(ClusterMetrics.silhouette(space, labels, sample, ClusterMetrics.SILHOUETTE_DEFAULT_SEED)) : null);
    if (clustered > sample) {
      m.put("silhouette_sample", sample);
    }
    if (truth != null) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < truth.length; i++) {
        if (truth[i] != null) {
          idx.add(i);
        }
      }
      Map<String, Integer> classes = new LinkedHashMap<>();
      int[] t = new int[idx.size()];
      int[] pr = new int[idx.size()];
      for (int j = 0; j < t.length; j++) {
        t[j] = classes.computeIfAbsent(truth[idx.get(j)], k -> classes.size());
        pr[j] = labels[idx.get(j)];
      }
      m.put("label_field", labelField);
      m.put("n_labelled", t.length);
      m.put("n_label_values", classes.size());
      if (t.length == 0) {
        m.put("ari", null);
        m.put("nmi", null);
        m.put("homogeneity", null);
        m.put("completeness", null);
      } else {
        m.put("ari", finiteOrNull(ClusterMetrics.adjustedRandIndex(t, pr)));
        m.put("nmi", finiteOrNull(ClusterMetrics.normalizedMutualInfo(t, pr)));
        ClusterMetrics.HomogeneityCompleteness hc = ClusterMetrics.homogeneityCompleteness(t, pr);
        m.put("homogeneity", finiteOrNull(hc.homogeneity()));
        m.put("completeness", finiteOrNull(hc.completeness()));
      }
    }
    return m;
  }

  /**
   * Points the silhouette is computed on: sklearn-style sampling keeps its cost (sample^2 x dims) near that of 10 000
   * points in 40 dims, so a job clustering raw 1280-d vectors (use_umap false) is not dominated by its metric.
   */
  static int silhouetteSample(int dims) {
    long budget = (long) ClusterMetrics.SILHOUETTE_DEFAULT_SAMPLE * ClusterMetrics.SILHOUETTE_DEFAULT_SAMPLE * 40;
    return (int) Math.max(1000, Math.min(ClusterMetrics.SILHOUETTE_DEFAULT_SAMPLE, Math.sqrt((double) budget / dims)));
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  static float[][] toFloat(double[][] x) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new float[x[i].length];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) x[i][j];
      }
    }
    return out;
  }

  static double[][] toDouble(float[][] x) {
    double[][] out = new double[x.length][];
    int d = x[0].length;
    for (int i = 0; i < x.length; i++) {
      out[i] = new double[d];
      for (int j = 0; j < d; j++) {
        out[i][j] = x[i][j];
      }
    }
    return out;
  }

  private static double[][] normalised(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (double v : x[i]) {
        s += v * v;
      }
      double inv = s > 0 ? 1.0 / Math.sqrt(s) : 0.0;
      out[i] = new double[x[i].length];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = x[i][j] * inv;
      }
    }
    return out;
  }
}
