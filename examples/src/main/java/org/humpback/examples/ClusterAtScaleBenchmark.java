package org.humpback.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.beam.sdk.options.PipelineOptions;
import org.humpback.pipelines.EncodingPipeline;
import org.humpback.pipelines.cluster.ClusterOutputs;
import org.humpback.pipelines.cluster.ClusteringParameters;
import org.humpback.pipelines.cluster.ClusteringPipeline;
import org.humpback.pipelines.cluster.ClusteringSpec;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.cluster.ClusterMetrics;

/**
 * Issue 16's archive-scale figure: a clustering job over many windows (generated Gaussian blobs written as embedding
 * Parquet files, one file per "recording") that fits on a sample ({@code sample_size}) and assigns every window in
 * the Beam pipeline, on the direct runner and on Flink {@code [local]} with parallelism 2. Each run is a fresh child
 * JVM with a fixed heap; the child prints its peak RSS (VmHWM) and the run's wall time; the parent then reads every
 * assignment back and prints the ARI against the blobs the windows were drawn from, and the load average.
 *
 * <pre>
 *   ClusterAtScaleBenchmark [--windows 1000000] [--dims 128] [--files 100] [--sample 50000] [--mcs 100]
 *                           [--runners direct,flink] [--xmx 3g] [--data target/scale-data]
 * </pre>
 */
public final class ClusterAtScaleBenchmark {

  private static final int CENTERS = 12;

  private ClusterAtScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    long windows = 1_000_000;
    int dims = 128;
    int files = 100;
    int sample = 50_000;
    int mcs = 100;
    String runners = "direct,flink";
    String xmx = "3g";
    Path data = Path.of("target/scale-data");
    String child = null;
    String out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--windows" -> windows = Long.parseLong(args[++i]);
        case "--dims" -> dims = Integer.parseInt(args[++i]);
        case "--files" -> files = Integer.parseInt(args[++i]);
        case "--sample" -> sample = Integer.parseInt(args[++i]);
        case "--mcs" -> mcs = Integer.parseInt(args[++i]);
        case "--runners" -> runners = args[++i];
        case "--xmx" -> xmx = args[++i];
        case "--data" -> data = Path.of(args[++i]);
        case "--child" -> child = args[++i];
        case "--out" -> out = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long perFile = windows / files;
    List<ClusteringSpec.SetInput> sets = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      sets.add(new ClusteringSpec.SetInput("set-" + f, data.resolve("set-" + f + ".parquet").toAbsolutePath()
          .toString(), perFile));
    }
    String params = "{\"sample_size\": " + sample + ", \"min_cluster_size\": " + mcs + "}";
    if (child != null) {
      runChild(child, sets, dims, params, Path.of(out));
      return;
    }
    generate(data, files, perFile, dims);
    System.out.printf(Locale.ROOT, "%,d windows x %d dims in %d files, sample_size %,d, min_cluster_size %d, -Xmx%s%n",
        perFile * files, dims, files, sample, mcs, xmx);
    System.out.println("runner      | wall s | peak RSS MB | windows assigned | clusters | ARI vs blobs | load avg");
    for (String runner : runners.split(",")) {
      Path outDir = data.resolve("job-" + runner).toAbsolutePath();
      String load0 = EncodingBenchmark.loadAverage();
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"), ClusterAtScaleBenchmark.class.getName(),
          "--child", runner, "--out", outDir.toString(), "--windows", Long.toString(windows), "--dims",
          Integer.toString(dims), "--files", Integer.toString(files), "--sample", Integer.toString(sample), "--mcs",
          Integer.toString(mcs), "--data", data.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String result = null;
      try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("RESULT ")) {
            result = line;
          } else if (line.contains("Exception") || line.contains("ERROR")) {
            System.out.println("  child: " + line);
          }
        }
      }
      int code = p.waitFor();
      if (result == null || code != 0) {
        System.out.printf("%-11s | failed (exit %d)%n", runner, code);
        continue;
      }
      String[] f = result.split(" ");
      double seconds = Double.parseDouble(f[1]);
      long hwmKb = Long.parseLong(f[2]);
      int clusters = Integer.parseInt(f[3]);
      // Every window's assigned label against the blob it was drawn from (noise counts as one more class).
      Map<String, Integer> setIndex = new HashMap<>();
      for (int i = 0; i < files; i++) {
        setIndex.put("set-" + i, i);
      }
      int[] truth = new int[(int) (perFile * files)];
      int[] predicted = new int[truth.length];
      long[] count = {0};
      long pf = perFile;
      ClusterOutputs.forEachAssignment(outDir.toString(), a -> {
        int idx = (int) (setIndex.get(a.embeddingSetId()) * pf + a.embeddingRowIndex());
        truth[idx] = center(setIndex.get(a.embeddingSetId()), a.embeddingRowIndex());
        predicted[idx] = a.clusterLabel();
        count[0]++;
      });
      double ari = ClusterMetrics.adjustedRandIndex(truth, predicted);
      System.out.printf(Locale.ROOT, "%-11s | %6.1f | %,11d | %,16d | %8d | %12.3f | %s -> %s%n", runner, seconds,
          hwmKb / 1024, count[0], clusters, ari, load0, EncodingBenchmark.loadAverage());
    }
  }

  private static void runChild(String runner, List<ClusteringSpec.SetInput> sets, int dims, String params, Path out)
      throws Exception {
    ClusteringSpec spec = new ClusteringSpec("scale-" + runner, sets, "bench", dims,
        ClusteringParameters.parse(params), out.toString(), Map.of(), null);
    ClusterOutputs.clear(out.toString());
    PipelineOptions options = runner.equals("flink")
        ? EncodingPipeline.options("flink", "[local]", 2, false)
        : EncodingPipeline.options("direct", null, null, false);
    long t0 = System.nanoTime();
    ClusteringPipeline.Run run = ClusteringPipeline.start(options, spec);
    run.await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    var json = ClusterOutputs.readJson(spec.clustersJson());
    int clusters = json.get("metrics").get("n_clusters").asInt();
    System.out.printf(Locale.ROOT, "RESULT %.2f %d %d%n", seconds, peakRssKb(), clusters);
    System.exit(0); // Flink's mini cluster keeps non-daemon threads
  }

  /** The blob a window is drawn from. */
  static int center(int file, long row) {
    return (int) Math.floorMod(mix(file * 1_000_003L + row), CENTERS);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Writes the files once (streamed: one row at a time); reused by later runs. */
  private static void generate(Path data, int files, long perFile, int dims) throws IOException {
    Path marker = data.resolve("generated-" + files + "x" + perFile + "x" + dims);
    if (Files.exists(marker)) {
      return;
    }
    Files.createDirectories(data);
    SplittableRandom centres = new SplittableRandom(16);
    float[][] c = new float[CENTERS][dims];
    for (float[] row : c) {
      for (int j = 0; j < dims; j++) {
        row[j] = (float) (centres.nextDouble() * 20 - 10);
      }
    }
    long t0 = System.nanoTime();
    for (int f = 0; f < files; f++) {
      int file = f;
      SplittableRandom rnd = new SplittableRandom(1000 + f);
      Iterator<EmbeddingParquet.Row> rows = new Iterator<>() {
        long row;

        @Override
        public boolean hasNext() {
          return row < perFile;
        }

        @Override
        public EmbeddingParquet.Row next() {
          float[] centre = c[center(file, row)];
          float[] v = new float[dims];
          for (int j = 0; j < dims; j++) {
            v[j] = centre[j] + (float) gaussian(rnd);
          }
          EmbeddingParquet.Row r = new EmbeddingParquet.Row((int) row, row, row + 1.0, v);
          row++;
          return r;
        }
      };
      EmbeddingParquet.write(data.resolve("set-" + f + ".parquet").toAbsolutePath().toString(),
          new EmbeddingParquet.Metadata("bench", "bench", "x".repeat(64), "{}", "y".repeat(64), dims, "bench"), rows);
    }
    Files.writeString(marker, "");
    System.out.printf(Locale.ROOT, "generated %d files in %.1f s%n", files, (System.nanoTime() - t0) / 1e9);
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  static long peakRssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
