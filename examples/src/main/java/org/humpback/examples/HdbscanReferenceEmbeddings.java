package org.humpback.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.cluster.Umap;
import org.humpback.transforms.io.Npy;

/**
 * Makes the 2-d points of the HDBSCAN library reference ({@code examples/hdbscan-reference/README.md}): reads
 * embedding Parquet files written by {@code ./humpback encode}, stacks their rows in the order given, reduces them
 * with our UMAP as a clustering job does by default (2 components, 15 neighbours, min_dist 0.1, euclidean, seed
 * 42, one thread, so the output is reproducible bit for bit) and writes an n x 2 float32 {@code .npy}.
 *
 * <pre>
 *   HdbscanReferenceEmbeddings OUT.npy FILE.parquet...
 * </pre>
 */
public final class HdbscanReferenceEmbeddings {
  private HdbscanReferenceEmbeddings() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: HdbscanReferenceEmbeddings OUT.npy FILE.parquet...");
    }
    List<float[]> rows = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      int before = rows.size();
      for (EmbeddingParquet.Row r : EmbeddingParquet.read(args[i]).rows()) {
        rows.add(r.embedding());
      }
      System.out.printf(Locale.ROOT, "%s: %d rows%n", args[i], rows.size() - before);
    }
    float[][] x = rows.toArray(new float[0][]);
    Umap.Params p = Umap.Params.defaults().withRandomSeed(42L).withThreads(1);
    double[][] e = Umap.fit(x, p).embedding();
    float[][] out = new float[e.length][];
    for (int i = 0; i < e.length; i++) {
      out[i] = new float[] {(float) e[i][0], (float) e[i][1]};
    }
    Npy.write(Path.of(args[0]), out);
    System.out.printf(Locale.ROOT, "wrote %s (%d x 2 float32)%n", args[0], out.length);
  }
}
