package org.humpback.transforms.cluster;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Approximate k-nearest neighbours (squared euclidean) by NN-descent (Dong, Charikar &amp; Li 2011) initialised from
 * random-projection trees, following the scheme of pynndescent (which umap-learn uses): per iteration, sample up to
 * {@code maxCandidates} new and old neighbours per point (forward and reverse), join them pairwise, stop when fewer
 * than {@code delta * n * k} heap updates happen.
 *
 * <p>Determinism: every random choice is a hash of (seed, iteration, point, neighbour) or comes from a per-tree
 * generator, and every heap keeps the k smallest distinct (distance, index) pairs offered, which does not depend on
 * the order of offers. So the result is the same for any thread count.
 */
final class NnDescent {
  private NnDescent() {}

  /** Neighbours excluding the point itself, ascending by distance: idx[i*k + m], distSq[i*k + m]. */
  record Graph(int[] idx, float[] distSq, int k) {}

  private static final int LOCK_STRIPES = 1024;

  static float distSq(float[] x, int a, int b, int d) {
    int ia = a * d;
    int ib = b * d;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      float t0 = x[ia + j] - x[ib + j];
      float t1 = x[ia + j + 1] - x[ib + j + 1];
      float t2 = x[ia + j + 2] - x[ib + j + 2];
      float t3 = x[ia + j + 3] - x[ib + j + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; j < d; j++) {
      float t = x[ia + j] - x[ib + j];
      s0 += t * t;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Bounded max-heaps, one per point, keeping the k smallest (key, index) pairs without duplicates. */
  static final class Heaps {
    final int k;
    final int[] idx;
    final float[] key;
    final boolean[] flag;
    final Object[] locks;

    Heaps(int n, int k) {
      this.k = k;
      idx = new int[n * k];
      key = new float[n * k];
      flag = new boolean[n * k];
      Arrays.fill(idx, -1);
      Arrays.fill(key, Float.POSITIVE_INFINITY);
      locks = new Object[LOCK_STRIPES];
      for (int i = 0; i < LOCK_STRIPES; i++) {
        locks[i] = new Object();
      }
    }

    /** Offers q to p's heap; returns true if the heap changed. Thread-safe. */
    boolean push(int p, int q, float d, boolean isNew) {
      int base = p * k;
      // Unlocked pre-check: the root only ever holds the heap's true maximum, which only decreases
      // (replaceRoot never parks a smaller value there mid-sift), so a stale read can only let a
      // useless offer through, never turn a good one away.
      if (d > key[base]) {
        return false;
      }
      synchronized (locks[p & (LOCK_STRIPES - 1)]) {
        if (d > key[base] || (d == key[base] && q >= idx[base])) {
          return false;
        }
        for (int m = base; m < base + k; m++) {
          if (idx[m] == q) {
            return false;
          }
        }
        replaceRoot(base, d, q, isNew);
        return true;
      }
    }

    /**
     * Replaces the root (the worst pair) with (d, q) and restores the heap by moving the hole down:
     * worse children move up, and the new pair is written once, where it belongs. A swap-based sift
     * would park d at the root for a moment, and a concurrent unlocked pre-check reading that smaller
     * value would wrongly refuse an offer: that made results depend on the thread count.
     */
    private void replaceRoot(int base, float d, int q, boolean isNew) {
      int i = 0;
      while (true) {
        int l = 2 * i + 1;
        if (l >= k) {
          break;
        }
        int c = l;
        if (l + 1 < k && worse(base + l + 1, base + l)) {
          c = l + 1;
        }
        int at = base + c;
        if (!(key[at] > d || (key[at] == d && idx[at] > q))) {
          break;
        }
        key[base + i] = key[at];
        idx[base + i] = idx[at];
        flag[base + i] = flag[at];
        i = c;
      }
      key[base + i] = d;
      idx[base + i] = q;
      flag[base + i] = isNew;
    }

    private boolean worse(int a, int b) {
      return key[a] > key[b] || (key[a] == key[b] && idx[a] > idx[b]);
    }

  }

  /**
   * @param x flat row-major data (n x d)
   * @param k neighbours per point, excluding the point itself (1 &lt;= k &lt; n)
   */
  static Graph build(float[] x, int n, int d, int k, long seed, ForkJoinPool pool) {
    Heaps heaps = new Heaps(n, k);
    int nTrees = Math.min(32, 5 + (int) Math.round(Math.sqrt(n) / 20.0));
    int leafSize = Math.max(10, 2 * k);
    pool.submit(() -> IntStream.range(0, nTrees).parallel().forEach(t -> {
      SplittableRandom rnd = new SplittableRandom(mix(seed, 0x5EEDL, t, 0));
      int[] pts = IntStream.range(0, n).toArray();
      rpSplit(x, d, pts, 0, n, leafSize, rnd, heaps, 0);
    })).join();
    // Points whose heaps still have empty slots (tiny leaves) get random neighbours.
    pool.submit(() -> IntStream.range(0, n).parallel().forEach(p -> {
      SplittableRandom rnd = new SplittableRandom(mix(seed, 0xF111L, p, 0));
      for (int tries = 0; heaps.idx[p * k] < 0 && tries < 4 * k; tries++) {
        int q = rnd.nextInt(n);
        if (q != p) {
          heaps.push(p, q, distSq(x, p, q, d), true);
        }
      }
    })).join();
    int maxCandidates = Math.min(60, k);
    int iterations = Math.max(5, (int) Math.round(Math.log(n) / Math.log(2)));
    double delta = 0.001;
    for (int it = 0; it < iterations; it++) {
      final int iter = it;
      Heaps newC = new Heaps(n, maxCandidates);
      Heaps oldC = new Heaps(n, maxCandidates);
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(p -> {
        for (int m = p * k; m < (p + 1) * k; m++) {
          int q = heaps.idx[m];
          if (q < 0) {
            continue;
          }
          float prio = priority(seed, iter, Math.min(p, q), Math.max(p, q));
          Heaps target = heaps.flag[m] ? newC : oldC;
          target.push(p, q, prio, false);
          target.push(q, p, prio, false);
        }
      })).join();
      // Sampled new neighbours become old: they are joined in this iteration.
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(p -> {
        for (int m = p * k; m < (p + 1) * k; m++) {
          if (heaps.flag[m]) {
            int q = heaps.idx[m];
            for (int c = p * maxCandidates; c < (p + 1) * maxCandidates; c++) {
              if (newC.idx[c] == q) {
                heaps.flag[m] = false;
                break;
              }
            }
          }
        }
      })).join();
      AtomicLong updates = new AtomicLong();
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(p -> {
        int nb = p * maxCandidates;
        long u = 0;
        for (int a = nb; a < nb + maxCandidates; a++) {
          int qa = newC.idx[a];
          if (qa < 0) {
            continue;
          }
          for (int b = a + 1; b < nb + maxCandidates; b++) {
            int qb = newC.idx[b];
            if (qb < 0) {
              continue;
            }
            u += offerBoth(heaps, x, d, qa, qb);
          }
          for (int b = nb; b < nb + maxCandidates; b++) {
            int qb = oldC.idx[b];
            if (qb < 0 || qb == qa) {
              continue;
            }
            u += offerBoth(heaps, x, d, qa, qb);
          }
        }
        updates.addAndGet(u);
      })).join();
      if (updates.get() <= delta * n * k) {
        break;
      }
    }
    return sorted(heaps, n, k);
  }

  /** Offers a and b to each other's heap as new neighbours; returns how many heaps changed (0-2). */
  private static int offerBoth(Heaps heaps, float[] x, int d, int a, int b) {
    float dd = distSq(x, a, b, d);
    return (heaps.push(a, b, dd, true) ? 1 : 0) + (heaps.push(b, a, dd, true) ? 1 : 0);
  }

  private static Graph sorted(Heaps h, int n, int k) {
    int[] idx = new int[n * k];
    float[] dist = new float[n * k];
    for (int p = 0; p < n; p++) {
      Integer[] order = new Integer[k];
      for (int m = 0; m < k; m++) {
        order[m] = p * k + m;
      }
      Arrays.sort(order, (a, b) -> {
        int c = Float.compare(h.key[a], h.key[b]);
        return c != 0 ? c : Integer.compare(h.idx[a], h.idx[b]);
      });
      for (int m = 0; m < k; m++) {
        idx[p * k + m] = h.idx[order[m]];
        dist[p * k + m] = h.key[order[m]];
      }
    }
    return new Graph(idx, dist, k);
  }

  /** Random-projection tree: split by the hyperplane equidistant from two random points; leaves seed the heaps. */
  private static void rpSplit(float[] x, int d, int[] pts, int s, int e, int leafSize, SplittableRandom rnd,
                              Heaps heaps, int depth) {
    int size = e - s;
    if (size <= leafSize || depth > 64) {
      for (int a = s; a < e; a++) {
        for (int b = a + 1; b < e; b++) {
          float dd = distSq(x, pts[a], pts[b], d);
          heaps.push(pts[a], pts[b], dd, true);
          heaps.push(pts[b], pts[a], dd, true);
        }
      }
      return;
    }
    int pa = pts[s + rnd.nextInt(size)];
    int pb = pts[s + rnd.nextInt(size)];
    int ia = pa * d;
    int ib = pb * d;
    float[] normal = new float[d];
    double offset = 0;
    for (int j = 0; j < d; j++) {
      normal[j] = x[ia + j] - x[ib + j];
      offset -= normal[j] * (x[ia + j] + x[ib + j]) / 2.0;
    }
    // Partition in place: side > 0 to the front. Ties (margin 0) go to a random side, as pynndescent.
    int i = s;
    int j = e - 1;
    while (i <= j) {
      int p = pts[i];
      double margin = offset;
      int ip = p * d;
      for (int t = 0; t < d; t++) {
        margin += normal[t] * x[ip + t];
      }
      boolean left = margin > 0 || (margin == 0 && rnd.nextBoolean());
      if (left) {
        i++;
      } else {
        pts[i] = pts[j];
        pts[j] = p;
        j--;
      }
    }
    int mid = i;
    if (mid == s || mid == e) {
      mid = s + size / 2; // degenerate split (identical points): halve arbitrarily
    }
    rpSplit(x, d, pts, s, mid, leafSize, rnd, heaps, depth + 1);
    rpSplit(x, d, pts, mid, e, leafSize, rnd, heaps, depth + 1);
  }

  private static float priority(long seed, int iter, int a, int b) {
    return (mix(seed, iter, a, b) >>> 40) / (float) (1L << 24);
  }

  /** A 64-bit mix of four values (SplitMix64 finaliser applied in sequence). */
  static long mix(long seed, long a, long b, long c) {
    long h = seed * 0x9E3779B97F4A7C15L;
    h = fin(h ^ a);
    h = fin(h ^ b);
    h = fin(h ^ c);
    return h;
  }

  private static long fin(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
