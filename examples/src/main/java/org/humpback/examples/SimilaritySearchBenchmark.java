package org.humpback.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.humpback.rest.search.CosineIndex;

/**
 * Latency of {@code POST /search/similar}'s exact cosine k-NN ({@link CosineIndex}) over generated vectors: 100k and
 * 1M windows of 1280-d (Perch's size), in blocks of 1,000 rows as a corpus of embedding sets holds them, k = 10, on
 * all cores. Then, when Chromium and the web app's node_modules are present, the scatter at 100k points in headless
 * Chromium ({@code rest/src/test/e2e/scatter-paint.bench.mjs}): its first paint, the repaint each zoom or pan frame
 * costs, and a lasso selection.
 *
 * <p>Usage, from the project root (1M × 1280 floats need 5.1 GB of heap):
 * {@code java -Xmx7g -cp ... org.humpback.examples.SimilaritySearchBenchmark [sizes=100000,1000000] [dim=1280]
 * [queries=10]}
 */
public final class SimilaritySearchBenchmark {

  static final int ROWS_PER_SET = 1000;

  private SimilaritySearchBenchmark() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {100_000, 1_000_000};
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 1280;
    int queries = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    System.out.printf(Locale.ROOT, "Similarity search benchmark: exact cosine k-NN, k=10, %d-d, %d cores, heap %.1f GB%n",
        dim, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1e9);
    System.out.printf(Locale.ROOT, "%10s %10s %12s %12s %12s %12s%n", "vectors", "GB", "p50 ms", "min ms", "max ms",
        "GB/s (p50)");
    for (int n : sizes) {
      List<float[]> blocks = generate(n, dim);
      CosineIndex index = new CosineIndex(dim, blocks);
      SplittableRandom random = new SplittableRandom(7);
      // Warm-up: the JIT compiles the kernel in the first calls.
      for (int i = 0; i < 3; i++) {
        index.search(query(blocks, dim, random), 10, -1, -1);
      }
      double[] ms = new double[queries];
      for (int q = 0; q < queries; q++) {
        float[] query = query(blocks, dim, random);
        long t0 = System.nanoTime();
        List<CosineIndex.Hit> hits = index.search(query, 10, -1, -1);
        ms[q] = (System.nanoTime() - t0) / 1e6;
        if (hits.size() != 10 || hits.get(0).score() < 0.999f) {
          throw new AssertionError("the query vector itself should be found first: " + hits.get(0));
        }
      }
      Arrays.sort(ms);
      double gb = (double) n * dim * Float.BYTES / 1e9;
      System.out.printf(Locale.ROOT, "%10d %10.2f %12.1f %12.1f %12.1f %12.1f%n", n, gb, ms[queries / 2], ms[0],
          ms[queries - 1], gb / (ms[queries / 2] / 1e3));
      blocks = null;
      index = null;
      System.gc();
    }
    scatterPaint();
  }

  /** n random unit vectors in blocks of {@value #ROWS_PER_SET} rows, generated on all cores. */
  static List<float[]> generate(int n, int dim) {
    int blocks = (n + ROWS_PER_SET - 1) / ROWS_PER_SET;
    float[][] out = new float[blocks][];
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int rows = Math.min(ROWS_PER_SET, n - b * ROWS_PER_SET);
      SplittableRandom r = new SplittableRandom(1000L + b);
      float[] v = new float[rows * dim];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextDouble() * 2 - 1);
      }
      CosineIndex.normaliseRows(v, dim);
      out[b] = v;
    });
    return new ArrayList<>(Arrays.asList(out));
  }

  /** A stored vector as the query, as "find similar" on a window does. */
  static float[] query(List<float[]> blocks, int dim, SplittableRandom random) {
    float[] block = blocks.get(random.nextInt(blocks.size()));
    int row = random.nextInt(block.length / dim);
    return Arrays.copyOfRange(block, row * dim, (row + 1) * dim);
  }

  /** Runs the Chromium scatter benchmark when it can, or says why not. */
  static void scatterPaint() throws Exception {
    Path script = Path.of("rest/src/test/e2e/scatter-paint.bench.mjs");
    if (!Files.isRegularFile(script) || !Files.isDirectory(Path.of("rest/node_modules/playwright-core"))
        || !Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      System.out.println("scatter first paint: skipped (needs rest/node_modules from the build, node and "
          + "/usr/bin/chromium; run from the project root)");
      return;
    }
    Process p = new ProcessBuilder("node", script.toString(), "100000", "5").inheritIO().start();
    if (p.waitFor() != 0) {
      System.out.println("scatter first paint: the Chromium run failed (exit " + p.exitValue() + ")");
    }
  }
}
