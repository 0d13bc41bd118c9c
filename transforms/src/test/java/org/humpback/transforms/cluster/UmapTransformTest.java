package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Umap.Model#transform} and {@link Hdbscan.Model#approximatePredict}: new points into a fitted clustering. */
class UmapTransformTest {

  @Test
  void membershipsFollowUmapLearnsTransformGraph() {
    // rho = 0 (local_connectivity - 1), sigma solves sum_{j>=1} exp(-d_j / sigma) = log2(k)
    double[] dist = {1.0, 1.5, 2.0, 2.5, 3.0};
    double[] w = Umap.Model.memberships(dist);
    double sigma = -dist[0] / Math.log(w[0]);
    double psum = 0;
    for (int j = 1; j < dist.length; j++) {
      psum += Math.exp(-dist[j] / sigma);
    }
    assertEquals(Math.log(5) / Math.log(2), psum, 1e-4);
    assertTrue(w[0] < 1.0 && w[0] > w[4], Arrays.toString(w));
    assertEquals(1.0, Umap.Model.memberships(new double[] {0.0, 1.0, 2.0})[0], "a repeated fitted point weighs 1");
  }

  @Test
  void graphSearchFindsTheExactNeighbours() {
    // Above the exact-search limit, so the graph search runs; checked against brute force.
    GaussianBlobs.Data d = GaussianBlobs.generate(6000, 40, 8, 2.0, 6, 0.0, 3);
    float[][] train = Arrays.copyOfRange(d.points(), 0, 5000);
    int dim = 40;
    float[] flat = new float[5000 * dim];
    for (int i = 0; i < 5000; i++) {
      System.arraycopy(train[i], 0, flat, i * dim, dim);
    }
    // The search needs only the fit's neighbour graph, not its layout.
    NnDescent.Graph g = NnDescent.build(flat, 5000, dim, 14, 1, new java.util.concurrent.ForkJoinPool(2));
    Umap.Result layout = new Umap.Result(new double[5000][2], 15, 1, 1.58, 0.9, null);
    Umap.Model m = new Umap.Model(layout, Umap.Params.defaults(), null, flat, dim, g);
    KdTree exact = new KdTree(GaussianBlobs.toDouble(train));
    int k = 15;
    long hits = 0;
    int queries = 300;
    for (int i = 0; i < queries; i++) {
      float[] q = d.points()[5000 + i];
      int[] ids = new int[k];
      double[] dist = new double[k];
      m.neighbours(q, k, ids, dist);
      double[] qd = new double[q.length];
      for (int j = 0; j < q.length; j++) {
        qd[j] = q[j];
      }
      int[] truth = new int[k];
      exact.knnDistSq(qd, k, truth);
      java.util.Set<Integer> t = new java.util.HashSet<>();
      for (int id : truth) {
        t.add(id);
      }
      for (int id : ids) {
        hits += t.contains(id) ? 1 : 0;
      }
      for (int j = 1; j < k; j++) {
        assertTrue(dist[j] >= dist[j - 1], "ascending distances");
      }
    }
    double recall = hits / (double) (queries * k);
    assertTrue(recall >= 0.95, "recall " + recall);
  }

  @Test
  void newPointsLandWithTheirBlobAndClusterLikeAFullFit() throws Exception {
    GaussianBlobs.Data d = GaussianBlobs.generate(1500, 30, 6, 1.0, 8, 0.0, 11);
    int fitN = 1000;
    float[][] train = Arrays.copyOfRange(d.points(), 0, fitN);
    float[][] held = Arrays.copyOfRange(d.points(), fitN, d.points().length);
    Umap.Model umap = Umap.fitModel(train, Umap.Params.defaults().withNEpochs(100).withThreads(1));
    Hdbscan.Model hdb = Hdbscan.fitModel(umap.result().embedding(), Hdbscan.Params.defaults().withMinClusterSize(20));
    assertTrue(hdb.result().numClusters() >= 5, "clusters " + hdb.result().numClusters());

    // Through Java serialization, as the pipeline stores and loads them.
    umap = roundTrip(umap);
    hdb = roundTrip(hdb);
    double[][] placed = umap.transform(held);
    int[] predicted = new int[held.length];
    double probSum = 0;
    for (int i = 0; i < held.length; i++) {
      Hdbscan.Prediction p = hdb.approximatePredict(placed[i]);
      predicted[i] = p.label();
      assertTrue(p.probability() >= 0 && p.probability() <= 1, "probability " + p.probability());
      assertTrue(p.label() >= 0 || p.probability() == 0, "noise has probability 0");
      probSum += p.probability();
    }
    int[] truth = Arrays.copyOfRange(d.labels(), fitN, d.labels().length);
    double ari = ClusterMetrics.adjustedRandIndex(truth, predicted);
    assertTrue(ari >= 0.9, "ARI of assigned held-out points " + ari);
    assertTrue(probSum / held.length > 0.5, "mean membership " + probSum / held.length);

    // A point is placed alike however it is batched (its key seeds it), and the same twice.
    int epochs = umap.transformEpochs(held.length);
    assertArrayEquals(placed[7], umap.transform(held[7], epochs, 7));
    assertThrows(IllegalArgumentException.class, () -> roundTrip(Umap.fitModel(train, Umap.Params.defaults()
        .withNEpochs(5))).transform(new float[3], 5, 0));
  }

  @Test
  void approximatePredictOnFittedPointsAgreesWithTheFit() {
    GaussianBlobs.Data d = GaussianBlobs.generate(1500, 2, 4, 0.5, 10, 0.02, 7);
    double[][] x = GaussianBlobs.toDouble(d.points());
    Hdbscan.Model m = Hdbscan.fitModel(x, Hdbscan.Params.defaults().withMinClusterSize(20));
    int[] again = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      again[i] = m.approximatePredict(x[i]).label();
    }
    double ari = ClusterMetrics.adjustedRandIndex(m.result().labels(), again);
    assertTrue(ari >= 0.95, "ARI " + ari);
    Hdbscan.Prediction far = m.approximatePredict(new double[] {1e6, 1e6});
    assertEquals(Hdbscan.NOISE, far.label());
    assertEquals(0.0, far.probability());
    assertEquals(Hdbscan.NOISE, Hdbscan.fitModel(new double[][] {{0, 0}}, Hdbscan.Params.defaults())
        .approximatePredict(new double[] {0, 0}).label());
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T model) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(model);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
