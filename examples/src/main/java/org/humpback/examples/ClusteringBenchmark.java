package org.humpback.examples;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.GaussianBlobs;
import org.humpback.transforms.cluster.Hdbscan;
import org.humpback.transforms.cluster.Trustworthiness;
import org.humpback.transforms.cluster.Umap;
import org.humpback.transforms.io.Npy;

/**
 * Prints clustering figures (issue 5): our UMAP time and sampled trustworthiness on 1280-d Gaussian blobs
 * (20k and 100k rows), the ratio to umap-learn's time when {@code examples/umap-learn/run_umap_learn.py} has left
 * a results file for the same data, and HDBSCAN time on 100k x 5-d blobs.
 *
 * <pre>
 *   ClusteringBenchmark --write-data DIR [--sizes 20000,100000]   # raw float32 blobs for the Python script
 *   ClusteringBenchmark [--data DIR] [--sizes 20000,100000] [--pca 50|none] [--threads N] [--skip-umap]
 *   ClusteringBenchmark --write-blobs5d N FILE.npy               # the HDBSCAN blobs below, as float32 .npy
 *   ClusteringBenchmark --hdbscan-npy FILE.npy [--mcs 5,25] [--reps 1] [--peer /usr/bin/python3]
 * </pre>
 * {@code --hdbscan-npy} clusters any n x d float32/float64 matrix with our HDBSCAN at the library's defaults and, with
 * {@code --peer}, runs the Python {@code hdbscan} library on the same file right after, through
 * {@code examples/hdbscan-reference/run_hdbscan.py} and that Python (it must import {@code hdbscan}, e.g. through
 * {@code PYTHONPATH}), printing both times, their ratio and the ARI between the two label sets.
 * Data: {@link GaussianBlobs} with 10 centres in [-1, 1]^1280, std 1, 2% uniform noise, seed 20240601 + n; files
 * {@code blobs-N.f32} (row-major little-endian float32, N x 1280) and {@code blobs-N.labels} (one label per line).
 * Trustworthiness: k = 5 on the evenly spaced 2000-row subset ({@link Trustworthiness#sampled}); the Python script
 * uses the same rows. umap-learn results are read from {@code DIR/umap_learn-N.json}.
 */
public final class ClusteringBenchmark {
  static final int DIMS = 1280;
  static final int CENTERS = 10;

  private ClusteringBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path data = null;
    Path writeData = null;
    List<Integer> sizes = List.of(20_000, 100_000);
    Integer pca = 50;
    int threads = Runtime.getRuntime().availableProcessors();
    boolean skipUmap = false;
    boolean skipHdbscan = false;
    Path hdbscanNpy = null;
    String peer = null;
    List<Integer> mcsList = List.of(5, 25);
    int reps = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--write-data" -> writeData = Path.of(args[++i]);
        case "--sizes" -> {
          List<Integer> s = new ArrayList<>();
          for (String part : args[++i].split(",")) {
            s.add(Integer.parseInt(part.trim()));
          }
          sizes = s;
        }
        case "--pca" -> {
          String v = args[++i];
          pca = v.equals("none") ? null : Integer.parseInt(v);
        }
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--skip-umap" -> skipUmap = true;
        case "--skip-hdbscan" -> skipHdbscan = true;
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
    if (writeData != null) {
      Files.createDirectories(writeData);
      for (int n : sizes) {
        GaussianBlobs.Data d = blobs(n);
        write(writeData, n, d);
        System.out.printf(Locale.ROOT, "wrote %s (%d x %d float32)%n", writeData.resolve("blobs-" + n + ".f32"), n,
            DIMS);
      }
      return;
    }
    System.out.printf(Locale.ROOT, "cores=%d threads=%d java=%s%n", Runtime.getRuntime().availableProcessors(),
        threads, System.getProperty("java.version"));
    if (!skipUmap) {
      for (int n : sizes) {
        umapFigures(n, data, pca, threads);
      }
    }
    if (!skipHdbscan) {
      hdbscanFigures();
    }
  }

  static GaussianBlobs.Data blobs(int n) {
    return GaussianBlobs.generate(n, DIMS, CENTERS, 1.0, 1.0, 0.02, 20240601L + n);
  }

  static void umapFigures(int n, Path data, Integer pca, int threads) throws IOException {
    GaussianBlobs.Data d = blobs(n);
    Umap.Params params = Umap.Params.defaults().withThreads(threads).withPcaComponents(pca);
    long t0 = System.nanoTime();
    Umap.Result r = Umap.fit(d.points(), params);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double trust = Trustworthiness.sampled(d.points(), r.embedding(), 5, Trustworthiness.DEFAULT_SAMPLE);
    Hdbscan.Result h = Hdbscan.fit(r.embedding(), Hdbscan.Params.defaults().withMinClusterSize(Math.max(5, n / 200)));
    System.out.printf(Locale.ROOT,
        "UMAP n=%d d=%d pca=%s epochs=%d: %.1f s, trustworthiness(k=5, %d-row sample)=%.4f;"
            + " HDBSCAN on embedding: %d clusters, ARI vs truth %.4f%n",
        n, DIMS, pca == null ? "none" : pca.toString(), r.nEpochsUsed(), seconds, Trustworthiness.DEFAULT_SAMPLE,
        trust, h.numClusters(), ClusterMetrics.adjustedRandIndex(d.labels(), h.labels()));
    System.out.println("  stages: " + r.timings());
    if (data != null) {
      Path json = data.resolve("umap_learn-" + n + ".json");
      if (Files.exists(json)) {
        String s = Files.readString(json, StandardCharsets.UTF_8);
        double theirs = number(s, "seconds");
        double theirTrust = number(s, "trustworthiness");
        System.out.printf(Locale.ROOT,
            "  umap-learn n=%d: %.1f s, trustworthiness %.4f -> our time / umap-learn time = %.2f%n",
            n, theirs, theirTrust, seconds / theirs);
      } else {
        System.out.println("  (no " + json + "; run examples/umap-learn/run_umap_learn.py for the comparison)");
      }
    }
  }

  /** 5-d blobs for HDBSCAN timings: 10 centres in [-10, 10]^5, std 1, 5 % noise, seed 1. */
  static GaussianBlobs.Data blobs5d(int n) {
    return GaussianBlobs.generate(n, 5, 10, 1.0, 10, 0.05, 1);
  }

  static void hdbscanOnFile(Path file, List<Integer> mcsList, int reps, String peer) throws IOException {
    Npy.NpyArray a = Npy.read(file);
    int[] shape = a.shape();
    if (shape.length != 2) {
      throw new IllegalArgumentException(file + ": expected an n x d matrix, got " + a);
    }
    double[] v = a.toDoubles();
    double[][] x = new double[shape[0]][shape[1]];
    for (int i = 0; i < shape[0]; i++) {
      System.arraycopy(v, i * shape[1], x[i], 0, shape[1]);
    }
    System.out.printf(Locale.ROOT, "cores=%d java=%s data=%s (%d x %d)%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), file, shape[0], shape[1]);
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
          String json = runPeer(peer, file, mcs, labels);
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

  /** Runs the library on the same file in a child process; returns its JSON line (seconds, clusters). */
  private static String runPeer(String python, Path file, int mcs, Path labels) throws IOException {
    Path script = Path.of("examples", "hdbscan-reference", "run_hdbscan.py");
    if (!Files.exists(script)) {
      throw new IllegalStateException("run from the repository root: " + script + " not found");
    }
    Process p = new ProcessBuilder(python, script.toString(), file.toString(), Integer.toString(mcs),
        labels.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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

  static void write(Path dir, int n, GaussianBlobs.Data d) throws IOException {
    ByteBuffer row = ByteBuffer.allocate(DIMS * 4).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("blobs-" + n + ".f32")),
        1 << 20)) {
      for (float[] r : d.points()) {
        row.clear();
        for (float v : r) {
          row.putFloat(v);
        }
        out.write(row.array());
      }
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(dir.resolve("blobs-" + n + ".labels"))))) {
      for (int l : d.labels()) {
        out.write((l + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  private static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([-0-9.eE+]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no numeric field \"" + key + "\" in " + json);
    }
    return Double.parseDouble(m.group(1));
  }
}
