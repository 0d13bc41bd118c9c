package org.humpback.rest.search;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Exact cosine k-nearest-neighbour search over L2-normalised float vectors kept in blocks (one block per embedding
 * set, or per chunk of a generated matrix). Every vector is scored: the work is cut into tasks of
 * {@value #TASK_ROWS} rows that run on all cores, each keeps its own top k, and the tasks' lists are merged.
 *
 * <p>Vectors must be normalised with {@link #normaliseRows} first, so a dot product is the cosine. The inner kernel
 * scores four rows against the query at once with two accumulators each: the query's values are loaded once for
 * four rows, and eight independent sums keep the floating-point adders busy (the JIT does not vectorise a float
 * reduction by itself, since that would change the order of the additions).
 */
public final class CosineIndex {

  /** Rows per parallel task: large enough to amortise scheduling, small enough to balance two to many cores. */
  static final int TASK_ROWS = 4096;

  /** One neighbour: the block and the row within it, and the cosine similarity. */
  public record Hit(int block, int row, float score) {}

  private final int dim;
  private final List<float[]> blocks;

  /** An index over {@code blocks}, each holding whole rows of {@code dim} normalised values (not copied). */
  public CosineIndex(int dim, List<float[]> blocks) {
    if (dim < 1) {
      throw new IllegalArgumentException("Invalid dim: " + dim + " (expected >= 1)");
    }
    for (float[] b : blocks) {
      if (b.length % dim != 0) {
        throw new IllegalArgumentException("Invalid block: " + b.length + " values is not a whole number of "
            + dim + "-d rows");
      }
    }
    this.dim = dim;
    this.blocks = List.copyOf(blocks);
  }

  /** Scales each {@code dim}-long row of {@code flat} to unit length in place; an all-zero row stays zero. */
  public static void normaliseRows(float[] flat, int dim) {
    for (int off = 0; off < flat.length; off += dim) {
      double ss = 0;
      for (int i = 0; i < dim; i++) {
        ss += (double) flat[off + i] * flat[off + i];
      }
      if (ss > 0) {
        float inv = (float) (1.0 / Math.sqrt(ss));
        for (int i = 0; i < dim; i++) {
          flat[off + i] *= inv;
        }
      }
    }
  }

  /**
   * The {@code k} rows most similar to {@code query} (normalised, {@code dim} long), best first; the row at
   * ({@code skipBlock}, {@code skipRow}) is left out (pass -1 to keep every row). Ties keep index order.
   */
  public List<Hit> search(float[] query, int k, int skipBlock, int skipRow) {
    if (query.length != dim) {
      throw new IllegalArgumentException("Invalid query: " + query.length + " values (expected " + dim + ")");
    }
    if (k < 1) {
      throw new IllegalArgumentException("Invalid k: " + k + " (expected >= 1)");
    }
    List<int[]> tasks = new ArrayList<>();
    for (int b = 0; b < blocks.size(); b++) {
      int rows = blocks.get(b).length / dim;
      for (int start = 0; start < rows; start += TASK_ROWS) {
        tasks.add(new int[] {b, start, Math.min(rows, start + TASK_ROWS)});
      }
    }
    TopK[] partial = IntStream.range(0, tasks.size()).parallel().mapToObj(t -> {
      int[] task = tasks.get(t);
      TopK top = new TopK(k);
      scoreRange(blocks.get(task[0]), task[0], task[1], task[2], query, top, task[0] == skipBlock ? skipRow : -1);
      return top;
    }).toArray(TopK[]::new);
    TopK all = new TopK(k);
    for (TopK p : partial) {
      p.drainInto(all);
    }
    return all.sorted();
  }

  private void scoreRange(float[] block, int b, int from, int to, float[] q, TopK top, int skip) {
    int d = dim;
    int r = from;
    for (; r + 3 < to; r += 4) {
      int o0 = r * d;
      int o1 = o0 + d;
      int o2 = o1 + d;
      int o3 = o2 + d;
      float a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0, e0 = 0, e1 = 0;
      int i = 0;
      for (; i + 1 < d; i += 2) {
        float q0 = q[i];
        float q1 = q[i + 1];
        a0 += block[o0 + i] * q0;
        a1 += block[o0 + i + 1] * q1;
        b0 += block[o1 + i] * q0;
        b1 += block[o1 + i + 1] * q1;
        c0 += block[o2 + i] * q0;
        c1 += block[o2 + i + 1] * q1;
        e0 += block[o3 + i] * q0;
        e1 += block[o3 + i + 1] * q1;
      }
      if (i < d) {
        a0 += block[o0 + i] * q[i];
        b0 += block[o1 + i] * q[i];
        c0 += block[o2 + i] * q[i];
        e0 += block[o3 + i] * q[i];
      }
      offer(top, b, r, a0 + a1, skip);
      offer(top, b, r + 1, b0 + b1, skip);
      offer(top, b, r + 2, c0 + c1, skip);
      offer(top, b, r + 3, e0 + e1, skip);
    }
    for (; r < to; r++) {
      int o = r * d;
      float s = 0;
      for (int i = 0; i < d; i++) {
        s += block[o + i] * q[i];
      }
      offer(top, b, r, s, skip);
    }
  }

  private static void offer(TopK top, int block, int row, float score, int skip) {
    if (row != skip) {
      // Rounding can put a normalised vector's self-similarity a hair above 1.
      top.offer(block, row, Math.max(-1f, Math.min(1f, score)));
    }
  }

  /** A bounded min-heap of (score, block, row): the k best seen so far, the worst of them at the root. */
  static final class TopK {
    private final int k;
    private final float[] score;
    private final int[] block;
    private final int[] row;
    private int size;

    TopK(int k) {
      this.k = k;
      this.score = new float[k];
      this.block = new int[k];
      this.row = new int[k];
    }

    void offer(int b, int r, float s) {
      if (size < k) {
        int i = size++;
        score[i] = s;
        block[i] = b;
        row[i] = r;
        siftUp(i);
      } else if (better(s, b, r, 0)) {
        score[0] = s;
        block[0] = b;
        row[0] = r;
        siftDown(0);
      }
    }

    void drainInto(TopK other) {
      for (int i = 0; i < size; i++) {
        other.offer(block[i], row[i], score[i]);
      }
    }

    List<Hit> sorted() {
      List<Hit> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        out.add(new Hit(block[i], row[i], score[i]));
      }
      out.sort((x, y) -> x.score() != y.score() ? Float.compare(y.score(), x.score())
          : x.block() != y.block() ? Integer.compare(x.block(), y.block()) : Integer.compare(x.row(), y.row()));
      return out;
    }

    /** Whether (s, b, r) ranks above heap entry i: higher score, or equal score and earlier index. */
    private boolean better(float s, int b, int r, int i) {
      if (s != score[i]) {
        return s > score[i];
      }
      return b != block[i] ? b < block[i] : r < row[i];
    }

    private void siftUp(int i) {
      while (i > 0) {
        int p = (i - 1) / 2;
        if (!better(score[p], block[p], row[p], i)) {
          break;
        }
        swap(i, p);
        i = p;
      }
    }

    private void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1;
        int worst = i;
        if (l < size && better(score[worst], block[worst], row[worst], l)) {
          worst = l;
        }
        if (l + 1 < size && better(score[worst], block[worst], row[worst], l + 1)) {
          worst = l + 1;
        }
        if (worst == i) {
          return;
        }
        swap(i, worst);
        i = worst;
      }
    }

    private void swap(int i, int j) {
      float s = score[i];
      score[i] = score[j];
      score[j] = s;
      int t = block[i];
      block[i] = block[j];
      block[j] = t;
      t = row[i];
      row[i] = row[j];
      row[j] = t;
    }
  }
}
