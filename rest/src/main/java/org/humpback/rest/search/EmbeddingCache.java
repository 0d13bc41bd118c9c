package org.humpback.rest.search;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.registry.dao.EmbeddingSet;

/**
 * Embedding sets' vectors, read from their Parquet files and normalised once, kept in memory for repeated searches.
 * Least recently used sets are dropped beyond a budget of floats (a quarter of the heap by default), so a large
 * corpus is re-read rather than exhausting memory.
 */
final class EmbeddingCache {

  /** One set's windows in file order: normalised vectors (row-major), window indexes and times. */
  record Loaded(String setId, String audioFileId, int dim, float[] vectors, int[] rowIndex, double[] startS,
      double[] endS) {

    int rows() {
      return rowIndex.length;
    }

    /** The position of the window with this {@code row_index}, or -1. */
    int positionOf(int index) {
      int p = java.util.Arrays.binarySearch(rowIndex, index);
      return p >= 0 ? p : -1;
    }
  }

  private final long budgetFloats;
  private final Map<String, Loaded> sets = new LinkedHashMap<>(16, 0.75f, true);
  private long heldFloats;

  EmbeddingCache(long budgetFloats) {
    this.budgetFloats = budgetFloats;
  }

  static EmbeddingCache sizedToHeap() {
    return new EmbeddingCache(Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4 / Float.BYTES));
  }

  /** The vectors of {@code set}, read on first use. The client never sees the file's path, only the set's id. */
  Loaded get(EmbeddingSet set) {
    synchronized (this) {
      Loaded hit = sets.get(set.id());
      if (hit != null) {
        return hit;
      }
    }
    Loaded loaded = read(set);
    synchronized (this) {
      if (sets.putIfAbsent(set.id(), loaded) == null) {
        heldFloats += loaded.vectors().length;
        Iterator<Loaded> eldest = sets.values().iterator();
        while (heldFloats > budgetFloats && sets.size() > 1 && eldest.hasNext()) {
          Loaded old = eldest.next();
          if (old != loaded) {
            heldFloats -= old.vectors().length;
            eldest.remove();
          }
        }
      }
      return sets.getOrDefault(set.id(), loaded);
    }
  }

  private static Loaded read(EmbeddingSet set) {
    Path file = set.parquetPath() == null ? null : Path.of(set.parquetPath());
    if (file == null || !Files.isRegularFile(file)) {
      throw Refusal.conflict("Embedding set " + set.id() + " has no embeddings file on the server");
    }
    EmbeddingParquet.Contents contents;
    try {
      contents = EmbeddingParquet.read(file.toString());
    } catch (RuntimeException e) {
      throw Refusal.conflict("Embedding set " + set.id() + ": its embeddings file cannot be read");
    }
    List<EmbeddingParquet.Row> rows = contents.rows();
    int dim = set.vectorDim();
    float[] flat = new float[Math.multiplyExact(rows.size(), dim)];
    int[] index = new int[rows.size()];
    double[] start = new double[rows.size()];
    double[] end = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      EmbeddingParquet.Row r = rows.get(i);
      if (r.embedding().length != dim) {
        throw Refusal.conflict("Embedding set " + set.id() + ": row " + r.rowIndex() + " has "
            + r.embedding().length + " values, the set says vector_dim " + dim);
      }
      System.arraycopy(r.embedding(), 0, flat, i * dim, dim);
      index[i] = r.rowIndex();
      start[i] = r.startS();
      end[i] = r.endS();
    }
    CosineIndex.normaliseRows(flat, dim);
    return new Loaded(set.id(), set.audioFileId(), dim, flat, index, start, end);
  }
}
