package org.humpback.transforms.cluster;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * UMAP (McInnes, Healy &amp; Melville 2018), following umap-learn 0.5's choices where they matter for results:
 * <ol>
 *   <li>optional PCA to {@code pcaComponents} dimensions first (off by default; it speeds up the neighbour search
 *       on wide embeddings such as 1280-d);</li>
 *   <li>k nearest neighbours with the point itself counted among the {@code nNeighbors} (umap-learn's
 *       convention): exact (KD-tree or brute force) for small or low-dimensional inputs, otherwise NN-descent
 *       with random-projection-tree initialisation ({@link NnDescent});</li>
 *   <li>fuzzy simplicial set: smooth_knn_dist (binary search for sigma so the memberships sum to log2(k),
 *       local_connectivity 1, bandwidth 1), then the fuzzy union {@code P + P^T - P o P^T} (set_op_mix_ratio 1);
 *       edges below max/nEpochs are dropped, as umap-learn does;</li>
 *   <li>initialisation: PCA of the (reduced) data scaled to a maximum of 10 plus N(0, 1e-4) noise, umap-learn's
 *       {@code init="pca"} (not the default spectral init, which needs a sparse eigensolver); or uniform random in
 *       [-10, 10]; then each coordinate is rescaled to [0, 10] as umap-learn does before optimising;</li>
 *   <li>a, b fitted to min_dist with spread 1 ({@link #findAbParams}, umap-learn's find_ab_params);</li>
 *   <li>SGD with negative sampling (5 per positive sample, learning rate 1 decaying linearly, gradients clipped to
 *       4), n_epochs 500 for n &lt;= 10 000 and 200 above, edges sampled in proportion to their weight.</li>
 * </ol>
 * Threads: the SGD is Hogwild-style (threads update the shared embedding without locks, like umap-learn's
 * {@code parallel=True}), so with more than one thread results differ slightly from run to run. With
 * {@code threads = 1} and a fixed seed the output is bit-for-bit reproducible. The neighbour graph is deterministic
 * for any thread count.
 *
 * <p>Tiny inputs: the neighbourhood is capped at n (itself plus n - 1 others). n = 0 gives an empty result, n = 1 a
 * point at the origin; from n = 2 the normal algorithm runs (random init when n is too small for PCA).
 */
public final class Umap {
  /** Above this, umap-learn uses 200 epochs, otherwise 500. */
  static final int LARGE_DATA = 10_000;
  static final double NEGATIVE_SAMPLE_RATE = 5;
  static final double INITIAL_ALPHA = 1.0;
  static final double SPREAD = 1.0;
  /** Rows used to fit PCA (for the optional reduction and the initialisation). */
  static final int PCA_FIT_ROWS = 10_000;
  /** Power iterations of the approximate PCA reduction (as sklearn's randomized solver). */
  static final int PCA_POWER_ITERATIONS = 7;

  private Umap() {}

  /** Initial layout. */
  public enum Init { PCA, RANDOM }

  /**
   * Hyperparameters.
   *
   * @param nComponents output dimensions (&ge; 1)
   * @param nNeighbors neighbourhood size including the point itself (&ge; 2); capped at n
   * @param minDist minimum distance between embedded points, in [0, spread = 1]
   * @param metric EUCLIDEAN, or COSINE (euclidean on L2-normalised vectors: same neighbours as cosine distance)
   * @param randomSeed seed for every random choice
   * @param nEpochs SGD epochs; null = 500 for n &lt;= 10 000, else 200
   * @param threads worker threads (&ge; 1); 1 makes the output reproducible
   * @param pcaComponents reduce to this many dimensions first; null = no reduction
   * @param init initial layout
   */
  public record Params(int nComponents, int nNeighbors, double minDist, Metric metric, long randomSeed,
                       Integer nEpochs, int threads, Integer pcaComponents, Init init) {
    public Params {
      if (nComponents < 1) {
        throw new IllegalArgumentException("nComponents must be >= 1, got " + nComponents);
      }
      if (nNeighbors < 2) {
        throw new IllegalArgumentException("nNeighbors must be >= 2 (it counts the point itself), got " + nNeighbors);
      }
      if (!(minDist >= 0 && minDist <= SPREAD)) {
        throw new IllegalArgumentException("minDist must be in [0, " + SPREAD + "], got " + minDist);
      }
      if (metric == null) {
        throw new IllegalArgumentException("metric must not be null");
      }
      if (nEpochs != null && nEpochs < 1) {
        throw new IllegalArgumentException("nEpochs must be >= 1 (or null for automatic), got " + nEpochs);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (pcaComponents != null && pcaComponents < 1) {
        throw new IllegalArgumentException("pcaComponents must be >= 1 (or null for none), got " + pcaComponents);
      }
      if (init == null) {
        throw new IllegalArgumentException("init must not be null");
      }
    }

    /** 2 components, 15 neighbours, min_dist 0.1, euclidean, seed 42, automatic epochs, all cores, no PCA. */
    public static Params defaults() {
      return new Params(2, 15, 0.1, Metric.EUCLIDEAN, 42L, null, Runtime.getRuntime().availableProcessors(), null,
          Init.PCA);
    }

    public Params withNComponents(int v) {
      return new Params(v, nNeighbors, minDist, metric, randomSeed, nEpochs, threads, pcaComponents, init);
    }

    public Params withNNeighbors(int v) {
      return new Params(nComponents, v, minDist, metric, randomSeed, nEpochs, threads, pcaComponents, init);
    }

    public Params withMinDist(double v) {
      return new Params(nComponents, nNeighbors, v, metric, randomSeed, nEpochs, threads, pcaComponents, init);
    }

    public Params withMetric(Metric v) {
      return new Params(nComponents, nNeighbors, minDist, v, randomSeed, nEpochs, threads, pcaComponents, init);
    }

    public Params withRandomSeed(long v) {
      return new Params(nComponents, nNeighbors, minDist, metric, v, nEpochs, threads, pcaComponents, init);
    }

    public Params withNEpochs(Integer v) {
      return new Params(nComponents, nNeighbors, minDist, metric, randomSeed, v, threads, pcaComponents, init);
    }

    public Params withThreads(int v) {
      return new Params(nComponents, nNeighbors, minDist, metric, randomSeed, nEpochs, v, pcaComponents, init);
    }

    public Params withPcaComponents(Integer v) {
      return new Params(nComponents, nNeighbors, minDist, metric, randomSeed, nEpochs, threads, v, init);
    }

    public Params withInit(Init v) {
      return new Params(nComponents, nNeighbors, minDist, metric, randomSeed, nEpochs, threads, pcaComponents, v);
    }
  }

  /**
   * The embedding and what produced it.
   *
   * @param embedding n x nComponents
   * @param nNeighborsUsed neighbourhood size actually used (including the point itself)
   * @param nEpochsUsed SGD epochs run
   * @param a curve parameter a
   * @param b curve parameter b
   * @param timings wall-clock seconds per stage
   */
  public record Result(double[][] embedding, int nNeighborsUsed, int nEpochsUsed, double a, double b,
                       Timings timings) {}

  /** Wall-clock seconds spent in each stage (0 for stages that did not run). */
  public record Timings(double pca, double neighbours, double fuzzySet, double init, double optimise) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "pca %.1fs, kNN %.1fs, fuzzy set %.1fs, init %.1fs, SGD %.1fs",
          pca, neighbours, fuzzySet, init, optimise);
    }
  }

  private static final Timings NO_TIMINGS = new Timings(0, 0, 0, 0, 0);

  /** Embeds the rows of {@code data}. */
  public static Result fit(float[][] data, Params params) {
    if (params == null) {
      throw new IllegalArgumentException("params must not be null");
    }
    int dIn = Metric.checkMatrix(data, "data");
    int n = data.length;
    double[] ab = findAbParams(SPREAD, params.minDist());
    int epochs = params.nEpochs() != null ? params.nEpochs() : (n <= LARGE_DATA ? 500 : 200);
    if (n == 0) {
      return new Result(new double[0][], 0, epochs, ab[0], ab[1], NO_TIMINGS);
    }
    if (n == 1) {
      return new Result(new double[][] {new double[params.nComponents()]}, 1, epochs, ab[0], ab[1], NO_TIMINGS);
    }
    ForkJoinPool pool = new ForkJoinPool(params.threads());
    try {
      long t0 = System.nanoTime();
      float[][] x = params.metric().prepare(data);
      int d = dIn;
      if (params.pcaComponents() != null && params.pcaComponents() < dIn) {
        Pca.Model pca = Pca.fitApproximate(x, params.pcaComponents(), PCA_FIT_ROWS, PCA_POWER_ITERATIONS);
        double[][] reduced = pool.submit(() -> pca.transform(x)).join();
        for (int i = 0; i < n; i++) {
          float[] row = new float[reduced[i].length];
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) reduced[i][j];
          }
          x[i] = row;
        }
        d = params.pcaComponents();
      }
      long t1 = System.nanoTime();
      float[] flat = new float[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(x[i], 0, flat, i * d, d);
      }
      int kSelf = Math.min(params.nNeighbors(), n);
      NnDescent.Graph g = neighbours(flat, n, d, kSelf - 1, params.randomSeed(), pool);
      long t2 = System.nanoTime();
      Edges edges = fuzzySimplicialSet(g, n, kSelf, epochs);
      long t3 = System.nanoTime();
      double[] emb = initialise(x, n, d, params, pool);
      long t4 = System.nanoTime();
      optimise(emb, n, params.nComponents(), edges, epochs, ab[0], ab[1], params, pool);
      long t5 = System.nanoTime();
      double[][] out = new double[n][params.nComponents()];
      for (int i = 0; i < n; i++) {
        System.arraycopy(emb, i * params.nComponents(), out[i], 0, params.nComponents());
      }
      Timings timings = new Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9,
          (t5 - t4) / 1e9);
      return new Result(out, kSelf, epochs, ab[0], ab[1], timings);
    } finally {
      pool.shutdown();
    }
  }

  // ---- neighbours ---------------------------------------------------------------------------------------------

  /** Exact search when cheap (small n, or few dimensions for a KD-tree), NN-descent otherwise. */
  static NnDescent.Graph neighbours(float[] x, int n, int d, int k, long seed, ForkJoinPool pool) {
    if ((long) n * n * d <= 400_000_000L) {
      return bruteForce(x, n, d, k, pool);
    }
    if (d <= 8) {
      double[][] rows = new double[n][d];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          rows[i][j] = x[i * d + j];
        }
      }
      KdTree tree = new KdTree(rows);
      int[] idx = new int[n * k];
      float[] dist = new float[n * k];
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(i -> {
        int[] ids = new int[k + 1];
        double[] ds = tree.knnDistSq(i, k + 1, ids);
        int m = 0;
        for (int t = 0; t <= k && m < k; t++) {
          if (ids[t] != i) {
            idx[i * k + m] = ids[t];
            dist[i * k + m] = (float) ds[t];
            m++;
          }
        }
      })).join();
      return new NnDescent.Graph(idx, dist, k);
    }
    return NnDescent.build(x, n, d, k, seed, pool);
  }

  private static NnDescent.Graph bruteForce(float[] x, int n, int d, int k, ForkJoinPool pool) {
    int[] idx = new int[n * k];
    float[] dist = new float[n * k];
    pool.submit(() -> IntStream.range(0, n).parallel().forEach(i -> {
      Integer[] order = new Integer[n - 1];
      float[] ds = new float[n];
      int m = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          ds[j] = NnDescent.distSq(x, i, j, d);
          order[m++] = j;
        }
      }
      Arrays.sort(order, (a, b) -> {
        int c = Float.compare(ds[a], ds[b]);
        return c != 0 ? c : Integer.compare(a, b);
      });
      for (int t = 0; t < k; t++) {
        idx[i * k + t] = order[t];
        dist[i * k + t] = ds[order[t]];
      }
    })).join();
    return new NnDescent.Graph(idx, dist, k);
  }

  // ---- fuzzy simplicial set -----------------------------------------------------------------------------------

  /** Directed edge list of the symmetric fuzzy graph (both directions present), weights in (0, 1]. */
  record Edges(int[] head, int[] tail, double[] weight) {}

  static final double SMOOTH_K_TOLERANCE = 1e-5;
  static final double MIN_K_DIST_SCALE = 1e-3;

  /**
   * umap-learn's smooth_knn_dist + compute_membership_strengths + fuzzy union. Distances are euclidean
   * (square roots of the graph's squared distances); the neighbour list here excludes the point itself, which in
   * umap-learn sits at position 0 with distance 0 and contributes nothing.
   */
  static Edges fuzzySimplicialSet(NnDescent.Graph g, int n, int kSelf, int nEpochs) {
    int k = g.k();
    double[] dist = new double[n * k];
    for (int i = 0; i < n * k; i++) {
      dist[i] = Math.sqrt(Math.max(0f, g.distSq()[i]));
    }
    double target = Math.log(kSelf) / Math.log(2);
    double meanAll = 0;
    for (double v : dist) {
      meanAll += v;
    }
    // umap-learn's means include the zero self-distance in column 0 of its kNN matrix.
    meanAll /= (double) n * kSelf;
    double[] rho = new double[n];
    double[] sigma = new double[n];
    for (int i = 0; i < n; i++) {
      int base = i * k;
      // local_connectivity = 1: rho is the distance to the nearest neighbour at a non-zero distance.
      double r = 0;
      for (int m = 0; m < k; m++) {
        if (dist[base + m] > 0) {
          r = dist[base + m];
          break;
        }
      }
      rho[i] = r;
      double lo = 0;
      double hi = Double.POSITIVE_INFINITY;
      double mid = 1.0;
      for (int iter = 0; iter < 64; iter++) {
        double psum = 0;
        for (int m = 0; m < k; m++) {
          double dd = dist[base + m] - r;
          psum += dd > 0 ? Math.exp(-(dd / mid)) : 1.0;
        }
        if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) {
          break;
        }
        if (psum > target) {
          hi = mid;
          mid = (lo + hi) / 2.0;
        } else {
          lo = mid;
          mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2.0;
        }
      }
      double meanI = 0;
      for (int m = 0; m < k; m++) {
        meanI += dist[base + m];
      }
      meanI /= kSelf;
      if (r > 0) {
        mid = Math.max(mid, MIN_K_DIST_SCALE * meanI);
      } else {
        mid = Math.max(mid, MIN_K_DIST_SCALE * meanAll);
      }
      sigma[i] = mid;
    }
    // Membership strengths P[i][m] for the directed kNN edges.
    double[] p = new double[n * k];
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < k; m++) {
        double dd = dist[i * k + m] - rho[i];
        p[i * k + m] = (dd <= 0 || sigma[i] == 0) ? 1.0 : Math.exp(-(dd / sigma[i]));
      }
    }
    // Fuzzy union; each directed edge of the symmetric graph is emitted exactly once.
    int[] head = new int[2 * n * k];
    int[] tail = new int[2 * n * k];
    double[] w = new double[2 * n * k];
    int e = 0;
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < k; m++) {
        int j = g.idx()[i * k + m];
        double pij = p[i * k + m];
        double pji = 0;
        boolean back = false;
        for (int t = 0; t < k; t++) {
          if (g.idx()[j * k + t] == i) {
            pji = p[j * k + t];
            back = true;
            break;
          }
        }
        double v = pij + pji - pij * pji;
        head[e] = i;
        tail[e] = j;
        w[e] = v;
        e++;
        if (!back) {
          head[e] = j;
          tail[e] = i;
          w[e] = v;
          e++;
        }
      }
    }
    double max = 0;
    for (int i = 0; i < e; i++) {
      max = Math.max(max, w[i]);
    }
    // umap-learn drops edges too weak to be sampled even once in nEpochs.
    double cut = max / nEpochs;
    int kept = 0;
    for (int i = 0; i < e; i++) {
      if (w[i] >= cut && w[i] > 0) {
        head[kept] = head[i];
        tail[kept] = tail[i];
        w[kept] = w[i];
        kept++;
      }
    }
    return new Edges(Arrays.copyOf(head, kept), Arrays.copyOf(tail, kept), Arrays.copyOf(w, kept));
  }

  // ---- a, b ---------------------------------------------------------------------------------------------------

  /**
   * Fits {@code 1 / (1 + a x^(2b))} to the target curve (1 below minDist, {@code exp(-(x - minDist) / spread)}
   * above) on 300 points of [0, 3 spread] by least squares (Levenberg-Marquardt from a = b = 1), as umap-learn's
   * find_ab_params does with scipy's curve_fit. Returns {a, b}.
   */
  public static double[] findAbParams(double spread, double minDist) {
    int m = 300;
    double[] xs = new double[m];
    double[] ys = new double[m];
    for (int i = 0; i < m; i++) {
      xs[i] = spread * 3 * i / (m - 1);
      ys[i] = xs[i] < minDist ? 1.0 : Math.exp(-(xs[i] - minDist) / spread);
    }
    double a = 1;
    double b = 1;
    double lambda = 1e-3;
    double cost = abCost(xs, ys, a, b);
    for (int iter = 0; iter < 500; iter++) {
      double jaa = 0;
      double jab = 0;
      double jbb = 0;
      double ga = 0;
      double gb = 0;
      for (int i = 0; i < m; i++) {
        double x = xs[i];
        if (x <= 0) {
          continue; // f = 1 and both derivatives vanish at x = 0
        }
        double u = Math.pow(x, 2 * b);
        double den = 1 + a * u;
        double f = 1 / den;
        double r = f - ys[i];
        double da = -u / (den * den);
        double db = -a * u * 2 * Math.log(x) / (den * den);
        jaa += da * da;
        jab += da * db;
        jbb += db * db;
        ga += da * r;
        gb += db * r;
      }
      boolean improved = false;
      while (lambda < 1e12) {
        double a11 = jaa * (1 + lambda);
        double a22 = jbb * (1 + lambda);
        double det = a11 * a22 - jab * jab;
        double stepA = -(a22 * ga - jab * gb) / det;
        double stepB = -(a11 * gb - jab * ga) / det;
        double na = a + stepA;
        double nb = b + stepB;
        double nc = na > 0 && nb > 0 ? abCost(xs, ys, na, nb) : Double.POSITIVE_INFINITY;
        if (nc < cost) {
          improved = Math.abs(cost - nc) > 1e-15 * Math.max(1, cost);
          a = na;
          b = nb;
          cost = nc;
          lambda = Math.max(lambda / 10, 1e-12);
          break;
        }
        lambda *= 10;
      }
      if (!improved) {
        break;
      }
    }
    return new double[] {a, b};
  }

  private static double abCost(double[] xs, double[] ys, double a, double b) {
    double s = 0;
    for (int i = 0; i < xs.length; i++) {
      double f = xs[i] <= 0 ? 1.0 : 1 / (1 + a * Math.pow(xs[i], 2 * b));
      s += (f - ys[i]) * (f - ys[i]);
    }
    return s;
  }

  // ---- initialisation -----------------------------------------------------------------------------------------

  static double[] initialise(float[][] x, int n, int d, Params params, ForkJoinPool pool) {
    int c = params.nComponents();
    SplittableRandom rnd = new SplittableRandom(NnDescent.mix(params.randomSeed(), 0x1417L, 0, 0));
    double[] emb = new double[n * c];
    boolean pcaPossible = params.init() == Init.PCA && n > c + 1 && d >= c;
    if (pcaPossible) {
      // The initial layout only needs the rough leading directions.
      Pca.Model pca = Pca.fitApproximate(x, c, PCA_FIT_ROWS, PCA_POWER_ITERATIONS);
      double[][] proj = pool.submit(() -> pca.transform(x)).join();
      double maxAbs = 0;
      for (double[] row : proj) {
        for (double v : row) {
          maxAbs = Math.max(maxAbs, Math.abs(v));
        }
      }
      double scale = maxAbs > 0 ? 10.0 / maxAbs : 1.0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < c; j++) {
          emb[i * c + j] = proj[i][j] * scale + 1e-4 * GaussianBlobs.gaussian(rnd);
        }
      }
    } else {
      for (int i = 0; i < n * c; i++) {
        emb[i] = rnd.nextDouble() * 20 - 10;
      }
    }
    // umap-learn rescales every coordinate to [0, 10] before optimising.
    for (int j = 0; j < c; j++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        lo = Math.min(lo, emb[i * c + j]);
        hi = Math.max(hi, emb[i * c + j]);
      }
      double range = hi - lo;
      for (int i = 0; i < n; i++) {
        emb[i * c + j] = range > 0 ? 10.0 * (emb[i * c + j] - lo) / range : 5.0;
      }
    }
    return emb;
  }

  // ---- optimisation -------------------------------------------------------------------------------------------

  private static final double LN2 = Math.log(2);

  /**
   * x^y for x &gt; 0, to about 1e-9 relative error, several times faster than {@link Math#pow}, which dominated the
   * SGD's profile (two or more pows per sample, ~10^8 samples). ln x from the exponent bits plus an atanh series on
   * the mantissa in [sqrt(1/2), sqrt(2)); e^z by range reduction to |r| &lt;= ln2/2 and a degree-11 Taylor
   * polynomial. Falls back to Math.pow outside the normal double range.
   */
  static double fastPow(double x, double y) {
    long bits = Double.doubleToRawLongBits(x);
    int e = (int) ((bits >>> 52) & 0x7ff);
    if (e == 0 || e == 0x7ff || x <= 0) {
      return Math.pow(x, y); // zero, subnormal, infinite, NaN or negative: rare, keep exact semantics
    }
    e -= 1023;
    double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
    if (m > 1.4142135623730951) {
      m *= 0.5;
      e++;
    }
    double t = (m - 1) / (m + 1);
    double t2 = t * t;
    double lnM = 2 * t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9 + t2 * (1.0 / 11
        + t2 * (1.0 / 13)))))));
    double z = y * (e * LN2 + lnM);
    double kd = Math.rint(z / LN2);
    if (kd < -1020 || kd > 1020) {
      return Math.pow(x, y);
    }
    double r = z - kd * LN2;
    double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
        + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r / 39916800))))))))));
    return p * Double.longBitsToDouble(((long) kd + 1023) << 52);
  }

  private static double clip(double v) {
    return v > 4 ? 4 : (v < -4 ? -4 : v);
  }

  /**
   * umap-learn's optimize_layout_euclidean (move_other = true). Edges are split into {@code threads} fixed ranges;
   * each range has its own generator seeded from (seed, epoch, range), so one thread gives one fixed result.
   */
  static void optimise(double[] emb, int n, int dim, Edges edges, int nEpochs, double a, double b, Params params,
                       ForkJoinPool pool) {
    int m = edges.head().length;
    if (m == 0) {
      return;
    }
    double max = 0;
    for (double w : edges.weight()) {
      max = Math.max(max, w);
    }
    double[] epochsPerSample = new double[m];
    double[] epochOfNextSample = new double[m];
    double[] epochsPerNeg = new double[m];
    double[] epochOfNextNeg = new double[m];
    for (int e = 0; e < m; e++) {
      epochsPerSample[e] = max / edges.weight()[e];
      epochOfNextSample[e] = epochsPerSample[e];
      epochsPerNeg[e] = epochsPerSample[e] / NEGATIVE_SAMPLE_RATE;
      epochOfNextNeg[e] = epochsPerNeg[e];
    }
    int threads = params.threads();
    int[] head = edges.head();
    int[] tail = edges.tail();
    for (int epoch = 0; epoch < nEpochs; epoch++) {
      final int ep = epoch;
      double alpha = INITIAL_ALPHA * (1.0 - (double) epoch / nEpochs);
      Runnable work = () -> IntStream.range(0, threads).parallel().forEach(t -> {
        int from = (int) ((long) m * t / threads);
        int to = (int) ((long) m * (t + 1) / threads);
        SplittableRandom rnd = new SplittableRandom(NnDescent.mix(params.randomSeed(), 0x56D0L, ep, t));
        double[] cur = new double[dim];
        for (int e = from; e < to; e++) {
          if (epochOfNextSample[e] > ep) {
            continue;
          }
          int j = head[e];
          int k = tail[e];
          int jb = j * dim;
          int kb = k * dim;
          double distSq = 0;
          for (int q = 0; q < dim; q++) {
            double diff = emb[jb + q] - emb[kb + q];
            distSq += diff * diff;
          }
          double gradCoeff = 0;
          if (distSq > 0) {
            double powB = fastPow(distSq, b);
            // pow(d, b - 1) = pow(d, b) / d saves a second pow per sample.
            gradCoeff = -2.0 * a * b * (powB / distSq) / (a * powB + 1.0);
          }
          for (int q = 0; q < dim; q++) {
            double gd = clip(gradCoeff * (emb[jb + q] - emb[kb + q]));
            emb[jb + q] += gd * alpha;
            emb[kb + q] -= gd * alpha;
          }
          epochOfNextSample[e] += epochsPerSample[e];
          int nNeg = (int) ((ep - epochOfNextNeg[e]) / epochsPerNeg[e]);
          for (int s = 0; s < nNeg; s++) {
            int kk = rnd.nextInt(n);
            if (kk == j) {
              continue;
            }
            int kkb = kk * dim;
            double dsq = 0;
            for (int q = 0; q < dim; q++) {
              cur[q] = emb[jb + q];
              double diff = cur[q] - emb[kkb + q];
              dsq += diff * diff;
            }
            double gc = 0;
            if (dsq > 0) {
              gc = 2.0 * b / ((0.001 + dsq) * (a * fastPow(dsq, b) + 1));
            }
            for (int q = 0; q < dim; q++) {
              double gd = gc > 0 ? clip(gc * (cur[q] - emb[kkb + q])) : 4.0;
              emb[jb + q] += gd * alpha;
            }
          }
          epochOfNextNeg[e] += nNeg * epochsPerNeg[e];
        }
      });
      if (threads == 1) {
        work.run();
      } else {
        pool.submit(work).join();
      }
    }
  }
}
