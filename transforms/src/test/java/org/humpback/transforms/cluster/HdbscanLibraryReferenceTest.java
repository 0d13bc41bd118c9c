package org.humpback.transforms.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.humpback.transforms.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares with the Python {@code hdbscan} library 0.8.40 (the seed system's), on real YAMNet embeddings of the
 * corpus reduced to 2-d by our UMAP: {@code corpus} (every recording once), {@code formats} (plus the same
 * recordings in other formats: near-duplicates) and {@code copies} (plus two exact copies of one recording: zero
 * distances, infinite lambdas), at min_cluster_size 5, 10, 25 and min_samples unset, 1, 3, everything else at the
 * library's defaults. The reference files and how they were made: {@code examples/hdbscan-reference/README.md}.
 *
 * Seven more cases on the library's own tree cover cluster_selection_epsilon (0.5, 2, 3), leaf selection (with and
 * without epsilon) and allow_single_cluster.
 *
 * <p>Two checks: everything after the spanning tree, on the library's own tree (exact); and ours end to end, where
 * the order of equal-weight merges still differs (see {@link #endToEndAgreesWithTheLibrary}).
 */
class HdbscanLibraryReferenceTest {
  private static final String DIR = "/hdbscan-library-reference/";

  record Case(String dataset, int minClusterSize, Integer minSamples, double epsilon, boolean leaf,
              boolean allowSingleCluster, int clusters, String file) {
    String mstFile() {
      return String.format(Locale.ROOT, "%s-mst-k%d.npy", dataset, minSamples == null ? minClusterSize : minSamples);
    }

    Hdbscan.Params params() {
      return Hdbscan.Params.defaults().withMinClusterSize(minClusterSize).withMinSamples(minSamples)
          .withClusterSelectionEpsilon(epsilon).withSelection(leaf ? Hdbscan.Selection.LEAF : Hdbscan.Selection.EOM)
          .withAllowSingleCluster(allowSingleCluster);
    }

    @Override
    public String toString() {
      return file;
    }
  }

  /** cases.csv: dataset, min_cluster_size, min_samples, epsilon, method, allow_single, n, clusters, noise, file. */
  static Stream<Case> cases() throws IOException {
    List<String> lines = Files.readAllLines(resource("cases.csv"), StandardCharsets.UTF_8);
    return lines.stream().skip(1).filter(l -> !l.isBlank()).map(l -> {
      String[] f = l.split(",");
      return new Case(f[0], Integer.parseInt(f[1]), f[2].equals("none") ? null : Integer.valueOf(f[2]),
          Double.parseDouble(f[3]), f[4].equals("leaf"), Boolean.parseBoolean(f[5].toLowerCase(Locale.ROOT)),
          Integer.parseInt(f[7]), f[9]);
    });
  }

  /** The grid at the library's defaults (EOM, epsilon 0, no single cluster): the end-to-end cases. */
  static Stream<Case> defaultCases() throws IOException {
    return cases().filter(c -> c.epsilon() == 0 && !c.leaf() && !c.allowSingleCluster());
  }

  /**
   * Everything after the spanning tree (single linkage, condensed tree with infinite lambdas, stabilities with the
   * library's float rounding, EOM, labels, probabilities, GLOSH), on the library's own tree in the library's merge
   * order: the same partition and the same probabilities exactly; GLOSH scores for 98 % of the points or more.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void libraryTreeGivesTheLibrarysClusters(Case c) throws IOException {
    double[][] ref = matrix(Npy.read(resource(c.file())));
    double[][] mst = matrix(Npy.read(resource(c.mstFile())));
    int n = ref.length;
    assertEquals(n - 1, mst.length, c + ": edges");
    int[] a = new int[n - 1];
    int[] b = new int[n - 1];
    double[] d = new double[n - 1];
    for (int e = 0; e < n - 1; e++) {
      a[e] = (int) mst[e][0];
      b[e] = (int) mst[e][1];
      d[e] = mst[e][2];
    }
    Hdbscan.Result r = Hdbscan.fromOrderedEdges(n, a, b, d, c.params(), new double[n]);
    Agreement g = Agreement.of(ref, r);
    System.out.printf(Locale.ROOT, "library tree %-24s %s%n", c, g);
    assertEquals(c.clusters(), r.numClusters(), c + ": cluster count");
    assertEquals(1.0, g.ari(), 1e-12, c + ": ARI");
    assertEquals(n, g.sameProb(), c + ": probabilities");
    assertTrue(g.sameScore() >= 0.98 * n, c + ": GLOSH " + g);
  }

  /**
   * Ours end to end. The spanning tree is where we still differ: mutual reachability has many equal weights (a
   * point joins several groups at its own core distance: 297 of 1023 edges tie in corpus, min_samples 5), and the
   * library merges equal weights in the order its approximate Borůvka and NumPy's unstable argsort happen to leave
   * them. That order changes clusters: the library's own prims_kdtree and boruvka_kdtree give ARI 0.94-0.97 against
   * each other on these data, and replaying its tree with random orders among ties gives 0.92-0.98. Ours orders
   * ties by point index. Measured: ARI &ge; 0.99 and equal cluster counts on 16 of the 27 cases (all but one at
   * min_samples 1, all at min_cluster_size 25), 0.90-0.98 on the other 11, up to 2 clusters apart; the asserted
   * floor keeps that from getting worse until ties are merged as the library merges them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("defaultCases")
  void endToEndAgreesWithTheLibrary(Case c) throws IOException {
    double[][] x = matrix(Npy.read(resource(c.dataset() + "-points.npy")));
    double[][] ref = matrix(Npy.read(resource(c.file())));
    assertEquals(x.length, ref.length, c + ": rows");
    Hdbscan.Result r = Hdbscan.fit(x, c.params());
    Agreement g = Agreement.of(ref, r);
    System.out.printf(Locale.ROOT, "end to end   %-24s %s%n", c, g);
    assertTrue(Math.abs(c.clusters() - r.numClusters()) <= 2, c + ": cluster count " + r.numClusters());
    assertTrue(g.ari() >= 0.90, c + ": ARI vs the library " + g.ari());
  }

  record Agreement(int n, int clusters, int expectedClusters, double ari, int sameScore, int sameProb,
                   double scoreErr, double probErr) {
    static Agreement of(double[][] ref, Hdbscan.Result r) {
      int n = ref.length;
      int[] expected = new int[n];
      int sameScore = 0;
      int sameProb = 0;
      double scoreErr = 0;
      double probErr = 0;
      for (int i = 0; i < n; i++) {
        expected[i] = (int) ref[i][0];
        double ds = Math.abs(r.outlierScores()[i] - ref[i][2]);
        double dp = Math.abs(r.probabilities()[i] - ref[i][1]);
        sameScore += ds <= 1e-12 ? 1 : 0;
        sameProb += dp <= 1e-12 ? 1 : 0;
        scoreErr += ds / n;
        probErr += dp / n;
      }
      int expectedClusters = ClusterMetrics.clusterSizes(expected).length;
      return new Agreement(n, r.numClusters(), expectedClusters, ClusterMetrics.adjustedRandIndex(expected,
          r.labels()), sameScore, sameProb, scoreErr, probErr);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "n=%d clusters %d/%d ARI %.4f GLOSH same %.4f (mean |d| %.5f) prob same"
          + " %.4f (mean |d| %.5f)", n, clusters, expectedClusters, ari, sameScore / (double) n, scoreErr,
          sameProb / (double) n, probErr);
    }
  }

  private static double[][] matrix(Npy.NpyArray a) {
    int[] shape = a.shape();
    double[] v = a.toDoubles();
    double[][] m = new double[shape[0]][shape[1]];
    for (int i = 0; i < shape[0]; i++) {
      System.arraycopy(v, i * shape[1], m[i], 0, shape[1]);
    }
    return m;
  }

  private static Path resource(String name) {
    URL url = HdbscanLibraryReferenceTest.class.getResource(DIR + name);
    assertNotNull(url, "missing test resource " + DIR + name);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
