package org.humpback.pipelines.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.humpback.transforms.cluster.Hdbscan;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.cluster.Pca;
import org.humpback.transforms.cluster.Umap;

/**
 * A clustering fitted on a sample, able to place and label any further window of the same kind: the optional PCA,
 * UMAP's {@code transform} into the clustering space (and into the 2-D plot when that is a separate UMAP), then
 * HDBSCAN's {@code approximate_predict} with its membership probability (see {@link Umap.Model} and
 * {@link Hdbscan.Model} for how each follows umap-learn and the hdbscan library). Stored as one Java-serialized
 * file in the job's {@code model/} folder, through Beam's {@link FileSystems}, so every worker of a run loads the same
 * fit.
 *
 * <p>The sampled windows themselves keep what the fit gave them (as after umap-learn's and the library's
 * {@code fit}): only the others are transformed and predicted.
 *
 * @param spaceDims dimensions of the clustering space
 * @param sampleKeys the fitted windows' keys ({@link #key}), ascending, in the fit's row order
 * @param samplePlot the fitted windows' plot coordinates
 * @param clusterIds the job's cluster id of each label, at index label + 1 (noise first)
 */
record ClusteringModel(Metric metric, Pca.Model pca, Umap.Model space, Umap.Model plot, Hdbscan.Model hdbscan,
                       int spaceDims, long[] sampleKeys, double[][] samplePlot, String[] clusterIds)
    implements Serializable {

  /** This model for the job's sample: the fitted windows' keys and the job's cluster ids. */
  ClusteringModel forJob(long[] keys, String[] ids) {
    return new ClusteringModel(metric, pca, space, plot, hdbscan, spaceDims, keys, samplePlot, ids);
  }

  /** The cluster id of a label. */
  String clusterId(int label) {
    return clusterIds[label + 1];
  }

  /** A window's key: its set's position in the job and its row. */
  static long key(int setIndex, int row) {
    return ((long) setIndex << 32) | (row & 0xffffffffL);
  }

  /** A window's place and cluster. */
  record Assigned(int label, double probability, double x, double y) {}

  /**
   * Places and labels one window.
   *
   * @param epochs UMAP transform epochs (see {@link Umap.Model#transformEpochs}; the same for every window of a job)
   * @param key identifies the window (seeds its placement, so it does not depend on how windows are batched)
   */
  Assigned assign(float[] vector, int epochs, long key) {
    int fitted = sampleKeys == null ? -1 : java.util.Arrays.binarySearch(sampleKeys, key);
    if (fitted >= 0) {
      Hdbscan.Result r = hdbscan.result();
      return new Assigned(r.labels()[fitted], r.probabilities()[fitted], samplePlot[fitted][0], samplePlot[fitted][1]);
    }
    float[] v = vector;
    if (pca != null) {
      v = ClusteringStep.toFloat(pca.transform(new float[][] {vector}))[0];
    }
    double[] s;
    if (space != null) {
      s = space.transform(v, epochs, key);
    } else {
      s = new double[v.length];
      for (int j = 0; j < v.length; j++) {
        s[j] = v[j];
      }
    }
    Hdbscan.Prediction p = hdbscan.approximatePredict(s);
    double x;
    double y;
    if (spaceDims == 2) {
      x = s[0];
      y = s[1];
    } else if (spaceDims == 1) {
      x = s[0];
      y = 0;
    } else if (plot != null) {
      double[] xy = plot.transform(v, epochs, key);
      x = xy[0];
      y = xy[1];
    } else {
      x = s[0];
      y = s[1];
    }
    return new Assigned(p.label(), p.probability(), x, y);
  }

  /** The transform epochs for a job that places {@code windows} windows. */
  int epochs(long windows) {
    Umap.Model m = space != null ? space : plot;
    return m == null ? 0 : m.transformEpochs(windows);
  }

  /** Writes the model to {@code spec} (any Beam file system), atomically. */
  void save(String spec) {
    ClusterOutputs.writeAtomically(spec, ch -> {
      try (ObjectOutputStream out = new ObjectOutputStream(new java.io.BufferedOutputStream(
          Channels.newOutputStream(ch), 1 << 16))) {
        out.writeObject(this);
      }
    });
  }

  static ClusteringModel load(String spec) {
    try (InputStream raw = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(spec, false)));
         ObjectInputStream in = new ObjectInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
      return (ClusteringModel) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the clustering model " + spec, e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("The clustering model " + spec + " was written by another version", e);
    }
  }

  /** One loaded model per JVM (the last one asked for): the workers of a run share it instead of each loading it. */
  private static final Object LOCK = new Object();
  private static String loadedSpec;
  private static ClusteringModel loaded;

  static ClusteringModel shared(String spec) {
    synchronized (LOCK) {
      if (!spec.equals(loadedSpec)) {
        loaded = null; // let the previous job's model go before the next one loads
        loaded = load(spec);
        loadedSpec = spec;
      }
      return loaded;
    }
  }
}
