package org.humpback.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.humpback.pipelines.cluster.ClusteringParameters;
import org.humpback.pipelines.cluster.ClusteringStep;
import org.humpback.pipelines.cluster.Reductions;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.GaussianBlobs;
import org.humpback.transforms.cluster.Hdbscan;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.cluster.Trustworthiness;
import org.humpback.transforms.cluster.Umap;
import org.humpback.transforms.io.Npy;

/**
 * Prints clustering figures: UMAP as a clustering job runs it against umap-learn on the same matrix in the same call
 * (issue 16), and HDBSCAN against the Python {@code hdbscan} library.
 *
 * <pre>
 *   ClusteringBenchmark --blobs 5000,10000 [--peer /usr/bin/python3|none]   # 1280-d Gaussian blobs, one row each
 *   ClusteringBenchmark --npy FILE.npy [--peer ...]                         # any n x d float32/float64 matrix
 *   ClusteringBenchmark --parquet DIR [--peer ...]                          # every embedding Parquet file under DIR
 *   ClusteringBenchmark --hdbscan-blobs                                     # HDBSCAN on 100k x 5-d blobs
 *   ClusteringBenchmark --hdbscan-npy FILE.npy [--mcs 5,25] [--reps 1] [--peer /usr/bin/python3]
 *   ClusteringBenchmark --write-blobs5d N FILE.npy                          # the HDBSCAN blobs, as float32 .npy
 * </pre>
 *
 * <p><b>UMAP.</b> Ours is the product's configuration, what a clustering job with the seed's defaults
 * ({@link ClusteringParameters#defaults()}: 2 components, 15 neighbours, min_dist 0.1, euclidean, seed 42, no PCA)
 * runs: {@link ClusteringStep#run} with the standard reductions, so the job's thread rule applies (one thread up to
 * 20,000 points). The UMAP call inside it is timed, stage by stage. Then, in the same call, umap-learn runs on the
 * same rows through {@code examples/umap-learn/run_umap_learn.py} and the given Python (default Debian's
 * {@code /usr/bin/python3}, which imports the {@code umap-learn} package; {@code --peer none} skips it), as the seed
 * runs it: the same parameters, {@code random_state=42}. One table row per input: size, both times, their ratio,
 * the trustworthiness of both embeddings (k = 5, the same evenly spaced 2,000 rows, {@link Trustworthiness#sampled})
 * and the ARI between the job's HDBSCAN labels on our embedding and on umap-learn's (the same clustering step,
 * min_cluster_size 5).
 *
 * <p>Inputs: {@code --blobs} is {@link GaussianBlobs} with 10 centres in [-1, 1]^1280, std 1, 2 % uniform noise,
 * seed 20240601 + n; {@code --parquet} reads the product's embedding files ({@link EmbeddingParquet}) found under the
 * folder, in path order and rows in file order. The matrix goes to the peer as a float32 {@code .npy} in the
 * temporary folder.
 *
 * <p><b>HDBSCAN.</b> {@code --hdbscan-npy} clusters any n x d float32/float64 matrix with our HDBSCAN at the
 * library's defaults and, with {@code --peer}, runs the Python {@code hdbscan} library on the same file right after,
 * through {@code examples/hdbscan-reference/run_hdbscan.py} and that Python (it must import {@code hdbscan}, e.g.
 * through {@code PYTHONPATH}), printing both times, their ratio and the ARI between the two label sets.
 *
 * <p>Run from the repository root (the peer scripts are found relative to it).
 */
public final class ClusteringBenchmark {
  static final int DIMS = 1280;
  static final int CENTERS = 10;
  static final String DEFAULT_PYTHON = "/usr/bin/python3";

  private ClusteringBenchmark() {}

  public static void main(String[] args) throws IOException {
    List<Integer> blobSizes = null;
    Path npy = null;
    String parquet = null;
    boolean hdbscanBlobs = false;
    Path hdbscanNpy = null;
    String peer = null;
    List<Integer> mcsList = List.of(5, 25);
    int reps = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--blobs" -> blobSizes = ints(args[++i]);
        case "--npy" -> npy = Path.of(args[++i]);
        case "--parquet" -> parquet = args[++i];
        case "--hdbscan-blobs" -> hdbscanBlobs = true;
        case "--hdbscan-npy" -> hdbscanNpy = Path.of(args[++i]);
        case "--peer" -> peer = args[++i];
        case "--mcs" -> mcsList = ints(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--write-blobs5d" -> {
          int n = Integer.parseInt(args[++i]);
          Path out = Path.of(args[++i]);
          Npy.write(out, blobs5d(n).points());
          System.out.printf(Locale.ROOT, "wrote %s (%d x 5 float32)%n", out, n);
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; see the class documentation for usage");
      }
    }
    if (hdbscanNpy != null) {
      hdbscanOnFile(hdbscanNpy, mcsList, reps, peer);
      return;
    }
    if (hdbscanBlobs) {
      hdbscanFigures();
      return;
    }
    String python = peer == null ? DEFAULT_PYTHON : peer.equals("none") ? null : peer;
    List<Input> inputs = new ArrayList<>();
    if (blobSizes != null) {
      for (int n : blobSizes) {
        inputs.add(new Input("blobs", () -> blobs(n).points()));
      }
    }
    if (npy != null) {
      Path file = npy;
      inputs.add(new Input(file.getFileName().toString(), () -> readNpy(file)));
    }
    if (parquet != null) {
      String dir = parquet;
      inputs.add(new Input("parquet " + dir, () -> readParquetFolder(dir)));
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("nothing to measure: give --blobs N, --npy FILE, --parquet DIR, "
          + "--hdbscan-blobs or --hdbscan-npy FILE (see the class documentation)");
    }
    System.out.printf(Locale.ROOT, "%s UTC, cores=%d, java=%s, load average %s, peer %s%n",
        java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), loadAverage(), python == null ? "none" : python);
    List<String> rows = new ArrayList<>();
    for (Input in : inputs) {
      rows.add(compareUmap(in.name(), in.rows().get(), python));
    }
    System.out.println();
    System.out.println("| data | n x d | epochs | ours (s) | umap-learn (s) | ours / umap-learn | T ours | T umap-learn"
        + " | clusters ours / umap-learn | ARI |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  /** One input matrix, made when its turn comes (so only one is in memory at a time). */
  private record Input(String name, java.util.function.Supplier<float[][]> rows) {}

  static GaussianBlobs.Data blobs(int n) {
    return GaussianBlobs.generate(n, DIMS, CENTERS, 1.0, 1.0, 0.02, 20240601L + n);
  }

  /**
   * Runs the product's clustering step on {@code x} (timing its UMAP), then umap-learn on the same rows, and returns
   * the table row.
   */
  static String compareUmap(String name, float[][] x, String python) {
    int n = x.length;
    int d = x[0].length;
    ClusteringParameters params = ClusteringParameters.defaults();
    TimedReductions ours = new TimedReductions();
    ClusteringStep.Result mine = ClusteringStep.run(x, params, ours, null);
    double trust = Trustworthiness.sampled(x, mine.space(), Trustworthiness.DEFAULT_K, Trustworthiness.DEFAULT_SAMPLE);
    int[] myLabels = mine.stored().labels();
    System.out.printf(Locale.ROOT, "%s %d x %d, ours: UMAP %.1f s (%s), epochs %d, T %.4f, %d clusters; load %s%n",
        name, n, d, ours.seconds, ours.result.timings(), ours.result.nEpochsUsed(), trust,
        ClusterMetrics.clusterSizes(myLabels).length, loadAverage());
    if (python == null) {
      return String.format(Locale.ROOT, "| %s | %d x %d | %d | %.1f | - | - | %.4f | - | %d / - | - |", name, n, d,
          ours.result.nEpochsUsed(), ours.seconds, trust, ClusterMetrics.clusterSizes(myLabels).length);
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("umap-peer-");
      Path in = dir.resolve("x.npy");
      Path out = dir.resolve("embedding.npy");
      Npy.write(in, x);
      String json = runScript(python, Path.of("examples", "umap-learn", "run_umap_learn.py"), in.toString(),
          out.toString(), "--seed", Long.toString(params.randomSeed()));
      double theirs = number(json, "seconds");
      double[][] theirEmbedding = matrix(Npy.read(out));
      double theirTrust = Trustworthiness.sampled(x, theirEmbedding, Trustworthiness.DEFAULT_K,
          Trustworthiness.DEFAULT_SAMPLE);
      // Their embedding through the same clustering step: only HDBSCAN runs on it.
      int[] theirLabels = ClusteringStep.run(x, params, new GivenEmbedding(theirEmbedding), null).stored().labels();
      double ari = ClusterMetrics.adjustedRandIndex(myLabels, theirLabels);
      System.out.printf(Locale.ROOT, "%s %d x %d, umap-learn %s: %.1f s, epochs %d, T %.4f, %d clusters; "
              + "ours / umap-learn = %.2f, ARI %.4f; load %s%n", name, n, d, text(json, "umap_version"), theirs,
          (int) number(json, "n_epochs"), theirTrust, ClusterMetrics.clusterSizes(theirLabels).length,
          ours.seconds / theirs, ari, loadAverage());
      return String.format(Locale.ROOT, "| %s | %d x %d | %d | %.1f | %.1f | %.2f | %.4f | %.4f | %d / %d | %.3f |",
          name, n, d, ours.result.nEpochsUsed(), ours.seconds, theirs, ours.seconds / theirs, trust, theirTrust,
          ClusterMetrics.clusterSizes(myLabels).length, ClusterMetrics.clusterSizes(theirLabels).length, ari);
    } catch (IOException e) {
      throw new UncheckedIOException("umap-learn run failed", e);
    } finally {
      deleteTree(dir);
    }
  }

  /** The standard reductions, with the UMAP call timed and its result (stage timings) kept. */
  private static final class TimedReductions implements Reductions {
    double seconds;
    Umap.Result result;

    @Override
    public double[][] pca(float[][] x, int components, long seed) {
      return Reductions.standard().pca(x, components, seed);
    }

    @Override
    public double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
      Umap.Params p = Reductions.umapParams(x.length, components, nNeighbors, minDist, metric, seed);
      long t0 = System.nanoTime();
      result = Umap.fit(x, p);
      seconds = (System.nanoTime() - t0) / 1e9;
      return result.embedding();
    }
  }

  /** Reductions whose UMAP is an embedding made elsewhere (umap-learn's), so the step only runs HDBSCAN on it. */
  private record GivenEmbedding(double[][] embedding) implements Reductions {
    @Override
    public double[][] pca(float[][] x, int components, long seed) {
      throw new UnsupportedOperationException("the product's defaults run no PCA");
    }

    @Override
    public double[][] umap(float[][] x, int components, int nNeighbors, double minDist, Metric metric, long seed) {
      return embedding;
    }
  }

  static float[][] readNpy(Path file) {
    try {
      Npy.NpyArray a = Npy.read(file);
      if (a.shape().length != 2) {
        throw new IllegalArgumentException(file + ": expected an n x d matrix, got " + a);
      }
      float[] v = a.toFloats();
      int n = a.shape()[0];
      int d = a.shape()[1];
      float[][] x = new float[n][d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(v, i * d, x[i], 0, d);
      }
      return x;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** Every row of every embedding Parquet file under {@code dir} (any depth), files in path order. */
  static float[][] readParquetFolder(String dir) {
    List<String> files;
    try {
      files = FileSystems.match(dir.replaceAll("/+$", "") + "/**.parquet").metadata().stream()
          .map(m -> m.resourceId().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .parquet file under " + dir);
    }
    List<float[]> rows = new ArrayList<>();
    for (String f : files) {
      EmbeddingParquet.forEachRow(f, r -> rows.add(r.embedding()));
    }
    return rows.toArray(new float[0][]);
  }

  private static double[][] matrix(Npy.NpyArray a) {
    int[] shape = a.shape();
    if (shape.length != 2) {
      throw new IllegalArgumentException("expected an n x d matrix, got " + a);
    }
    double[] v = a.toDoubles();
    double[][] x = new double[shape[0]][shape[1]];
    for (int i = 0; i < shape[0]; i++) {
      System.arraycopy(v, i * shape[1], x[i], 0, shape[1]);
    }
    return x;
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** 5-d blobs for HDBSCAN timings: 10 centres in [-10, 10]^5, std 1, 5 % noise, seed 1. */
  static GaussianBlobs.Data blobs5d(int n) {
    return GaussianBlobs.generate(n, 5, 10, 1.0, 10, 0.05, 1);
  }

  static void hdbscanOnFile(Path file, List<Integer> mcsList, int reps, String peer) throws IOException {
    double[][] x = matrix(Npy.read(file));
    System.out.printf(Locale.ROOT, "cores=%d java=%s data=%s (%d x %d)%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), file, x.length, x.length == 0 ? 0 : x[0].length);
    for (int mcs : mcsList) {
      Hdbscan.Result r = null;
      double best = Double.POSITIVE_INFINITY;
      for (int rep = 0; rep < reps; rep++) {
        long t0 = System.nanoTime();
        r = Hdbscan.fit(x, Hdbscan.Params.defaults().withMinClusterSize(mcs));
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      System.out.printf(Locale.ROOT,
          "ours     mcs=%d min_samples=unset: %.2f s (best of %d), %d clusters, noise %.3f%n", mcs, best, reps,
          r.numClusters(), ClusterMetrics.noiseFraction(r.labels()));
      if (peer != null) {
        Path labels = Files.createTempFile("hdbscan-peer-", ".npy");
        try {
          String json = runScript(peer, Path.of("examples", "hdbscan-reference", "run_hdbscan.py"), file.toString(),
              Integer.toString(mcs), labels.toString());
          double theirs = number(json, "seconds");
          double[] l = Npy.read(labels).toDoubles();
          int[] theirLabels = new int[l.length];
          for (int i = 0; i < l.length; i++) {
            theirLabels[i] = (int) l[i];
          }
          System.out.printf(Locale.ROOT, "hdbscan  mcs=%d min_samples=unset: %.2f s, %d clusters, noise %.3f"
                  + " -> our time / theirs = %.2f, ARI between the label sets %.4f%n", mcs, theirs,
              ClusterMetrics.clusterSizes(theirLabels).length, ClusterMetrics.noiseFraction(theirLabels),
              best / theirs, ClusterMetrics.adjustedRandIndex(theirLabels, r.labels()));
        } finally {
          Files.deleteIfExists(labels);
        }
      }
    }
  }

  /** Runs a peer script in a child process with {@code python}; returns what it printed (its JSON line). */
  private static String runScript(String python, Path script, String... args) throws IOException {
    if (!Files.exists(script)) {
      throw new IllegalStateException("run from the repository root: " + script + " not found");
    }
    List<String> command = new ArrayList<>(List.of(python, script.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException(python + " " + script + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the peer", e);
    }
    return out;
  }

  private static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String part : csv.split(",")) {
      out.add(Integer.parseInt(part.trim()));
    }
    return out;
  }

  static void hdbscanFigures() {
    int n = 100_000;
    GaussianBlobs.Data d = blobs5d(n);
    Hdbscan.Params p = Hdbscan.Params.defaults();
    for (int mcs : new int[] {5, 25}) {
      double best = Double.POSITIVE_INFINITY;
      Hdbscan.Result r = null;
      for (int rep = 0; rep < 3; rep++) {
        long t0 = System.nanoTime();
        r = Hdbscan.fit(d.points(), p.withMinClusterSize(mcs));
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      System.out.printf(Locale.ROOT,
          "HDBSCAN n=%d d=5 minClusterSize=%d minSamples=%d: best of 3 %.2f s; %d clusters, noise %.3f,"
              + " ARI vs truth %.4f%n",
          n, mcs, mcs, best, r.numClusters(), ClusterMetrics.noiseFraction(r.labels()),
          ClusterMetrics.adjustedRandIndex(d.labels(), r.labels()));
    }
  }

  private static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([-0-9.eE+]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no numeric field \"" + key + "\" in " + json);
    }
    return Double.parseDouble(m.group(1));
  }

  private static String text(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : "?";
  }
}
