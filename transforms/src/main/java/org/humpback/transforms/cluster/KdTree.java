package org.humpback.transforms.cluster;

/**
 * A static KD-tree over the rows of a matrix, with exact k-nearest-neighbour queries. Package-private: the tree
 * layout (pre-order node arrays, children always after their parent) is shared with the Borůvka MST search in
 * {@link Hdbscan}, which iterates nodes in reverse to aggregate bottom-up.
 */
final class KdTree {
  /** Leaves hold at most this many points; small enough to prune well, large enough to amortise recursion. */
  static final int LEAF_SIZE = 24;

  final double[][] points;
  final int n;
  final int dims;
  /** Point indices, permuted so that each node owns the contiguous range [start, end). */
  final int[] order;
  final int[] start;
  final int[] end;
  /** Child node ids, or -1 for leaves. */
  final int[] left;
  final int[] right;
  /** Bounding boxes: node {@code v} occupies [v*dims, (v+1)*dims). */
  final double[] lo;
  final double[] hi;
  int nodeCount;
  /** Coordinates in tree order: position i (point order[i]) occupies [i*dims, (i+1)*dims). Leaf scans are contiguous. */
  final double[] coords;
  /** Inverse of order: the tree position of each point. */
  final int[] posOf;

  KdTree(double[][] points) {
    this.points = points;
    this.n = points.length;
    this.dims = n == 0 ? 0 : points[0].length;
    this.order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Median splits give leaves of at least LEAF_SIZE/2 points, so 4n/LEAF_SIZE + 2 nodes always suffice.
    int cap = Math.max(1, 4 * n / LEAF_SIZE + 2);
    start = new int[cap];
    end = new int[cap];
    left = new int[cap];
    right = new int[cap];
    lo = new double[cap * Math.max(1, dims)];
    hi = new double[cap * Math.max(1, dims)];
    if (n > 0) {
      build(0, n);
    }
    coords = new double[n * dims];
    posOf = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(points[order[i]], 0, coords, i * dims, dims);
      posOf[order[i]] = i;
    }
  }

  /** Squared distance between the points at tree positions a and b. */
  double distSqPos(int a, int b) {
    int ia = a * dims;
    int ib = b * dims;
    double s = 0;
    for (int j = 0; j < dims; j++) {
      double t = coords[ia + j] - coords[ib + j];
      s += t * t;
    }
    return s;
  }

  /** Squared distance from the point at tree position a to its bounding box of node v (0 inside). */
  double minDistSqPos(int a, int v) {
    int ia = a * dims;
    int base = v * dims;
    double s = 0;
    for (int j = 0; j < dims; j++) {
      double x = coords[ia + j];
      double l = lo[base + j];
      if (x < l) {
        s += (l - x) * (l - x);
      } else {
        double h = hi[base + j];
        if (x > h) {
          s += (x - h) * (x - h);
        }
      }
    }
    return s;
  }

  private int build(int s, int e) {
    int node = nodeCount++;
    start[node] = s;
    end[node] = e;
    left[node] = -1;
    right[node] = -1;
    int base = node * dims;
    for (int j = 0; j < dims; j++) {
      lo[base + j] = Double.POSITIVE_INFINITY;
      hi[base + j] = Double.NEGATIVE_INFINITY;
    }
    for (int i = s; i < e; i++) {
      double[] p = points[order[i]];
      for (int j = 0; j < dims; j++) {
        double v = p[j];
        if (v < lo[base + j]) {
          lo[base + j] = v;
        }
        if (v > hi[base + j]) {
          hi[base + j] = v;
        }
      }
    }
    if (e - s <= LEAF_SIZE) {
      return node;
    }
    int dim = 0;
    double spread = -1;
    for (int j = 0; j < dims; j++) {
      double sp = hi[base + j] - lo[base + j];
      if (sp > spread) {
        spread = sp;
        dim = j;
      }
    }
    if (spread <= 0) {
      return node; // all points identical: splitting cannot separate them
    }
    int mid = (s + e) >>> 1;
    select(s, e - 1, mid, dim);
    left[node] = build(s, mid);
    right[node] = build(mid, e);
    return node;
  }

  /** Quickselect on order[lo..hi] by coordinate dim so that position k holds the k-th smallest. */
  private void select(int l, int r, int k, int dim) {
    while (r > l) {
      double pivot = points[order[(l + r) >>> 1]][dim];
      int i = l;
      int j = r;
      while (i <= j) {
        while (points[order[i]][dim] < pivot) {
          i++;
        }
        while (points[order[j]][dim] > pivot) {
          j--;
        }
        if (i <= j) {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        r = j;
      } else if (k >= i) {
        l = i;
      } else {
        return;
      }
    }
  }

  static double distSq(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double t = a[j] - b[j];
      s += t * t;
    }
    return s;
  }

  /**
   * Squared distances to the k nearest points of point {@code query} (the point itself counts, at distance 0),
   * ascending. Ties are broken by point index so results do not depend on tree layout.
   */
  double[] knnDistSq(int query, int k, int[] neighboursOut) {
    double[] heapD = new double[k];
    int[] heapI = new int[k];
    java.util.Arrays.fill(heapD, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(heapI, Integer.MAX_VALUE);
    search(0, posOf[query], heapD, heapI, k);
    // heap sort ascending
    double[] outD = new double[k];
    int[] outI = new int[k];
    for (int m = k - 1; m >= 0; m--) {
      outD[m] = heapD[0];
      outI[m] = heapI[0];
      heapD[0] = Double.NEGATIVE_INFINITY;
      heapI[0] = Integer.MIN_VALUE;
      siftDown(heapD, heapI, k);
    }
    if (neighboursOut != null) {
      System.arraycopy(outI, 0, neighboursOut, 0, k);
    }
    return outD;
  }

  /**
   * Squared distances to the k nearest points of the coordinates {@code q} (a point not in the tree), ascending,
   * ties broken by point index; their indices go to {@code neighboursOut}.
   */
  double[] knnDistSq(double[] q, int k, int[] neighboursOut) {
    double[] heapD = new double[k];
    int[] heapI = new int[k];
    java.util.Arrays.fill(heapD, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(heapI, Integer.MAX_VALUE);
    if (n > 0) {
      searchCoords(0, q, heapD, heapI, k);
    }
    double[] outD = new double[k];
    int[] outI = new int[k];
    for (int m = k - 1; m >= 0; m--) {
      outD[m] = heapD[0];
      outI[m] = heapI[0];
      heapD[0] = Double.NEGATIVE_INFINITY;
      heapI[0] = Integer.MIN_VALUE;
      siftDown(heapD, heapI, k);
    }
    System.arraycopy(outI, 0, neighboursOut, 0, k);
    return outD;
  }

  private void searchCoords(int node, double[] q, double[] heapD, int[] heapI, int k) {
    if (minDistSq(q, node) > heapD[0]) {
      return;
    }
    if (left[node] < 0) {
      for (int i = start[node]; i < end[node]; i++) {
        int pt = order[i];
        int base = i * dims;
        double d = 0;
        for (int j = 0; j < dims; j++) {
          double t = q[j] - coords[base + j];
          d += t * t;
        }
        if (d < heapD[0] || (d == heapD[0] && pt < heapI[0])) {
          heapD[0] = d;
          heapI[0] = pt;
          siftDown(heapD, heapI, k);
        }
      }
      return;
    }
    int a = left[node];
    int b = right[node];
    if (minDistSq(q, b) < minDistSq(q, a)) {
      int t = a;
      a = b;
      b = t;
    }
    searchCoords(a, q, heapD, heapI, k);
    searchCoords(b, q, heapD, heapI, k);
  }

  private double minDistSq(double[] q, int v) {
    int base = v * dims;
    double s = 0;
    for (int j = 0; j < dims; j++) {
      double x = q[j];
      double l = lo[base + j];
      if (x < l) {
        s += (l - x) * (l - x);
      } else {
        double h = hi[base + j];
        if (x > h) {
          s += (x - h) * (x - h);
        }
      }
    }
    return s;
  }

  private void search(int node, int p, double[] heapD, int[] heapI, int k) {
    if (minDistSqPos(p, node) > heapD[0]) {
      return;
    }
    if (left[node] < 0) {
      for (int i = start[node]; i < end[node]; i++) {
        int q = order[i];
        double d = distSqPos(p, i);
        if (d < heapD[0] || (d == heapD[0] && q < heapI[0])) {
          heapD[0] = d;
          heapI[0] = q;
          siftDown(heapD, heapI, k);
        }
      }
      return;
    }
    int a = left[node];
    int b = right[node];
    if (minDistSqPos(p, b) < minDistSqPos(p, a)) {
      int t = a;
      a = b;
      b = t;
    }
    search(a, p, heapD, heapI, k);
    search(b, p, heapD, heapI, k);
  }

  /** Max-heap on (distance, index) so the root is the current worst neighbour. */
  private static void siftDown(double[] d, int[] id, int k) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= k) {
        return;
      }
      int c = l;
      int r = l + 1;
      if (r < k && worse(d[r], id[r], d[l], id[l])) {
        c = r;
      }
      if (!worse(d[c], id[c], d[i], id[i])) {
        return;
      }
      double td = d[i];
      d[i] = d[c];
      d[c] = td;
      int ti = id[i];
      id[i] = id[c];
      id[c] = ti;
      i = c;
    }
  }

  private static boolean worse(double d1, int i1, double d2, int i2) {
    return d1 > d2 || (d1 == d2 && i1 > i2);
  }
}
