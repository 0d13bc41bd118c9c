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
                       Integer nEpochs, int threads, Integer pcaComponents, Init init) implements java.io.Serializable {
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
                       Timings timings) implements java.io.Serializable {}

  /** Wall-clock seconds spent in each stage (0 for stages that did not run). */
  public record Timings(double pca, double neighbours, double fuzzySet, double init, double optimise)
      implements java.io.Serializable {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "pca %.1fs, kNN %.1fs, fuzzy set %.1fs, init %.1fs, SGD %.1fs",
          pca, neighbours, fuzzySet, init, optimise);
    }
  }

  private static final Timings NO_TIMINGS = new Timings(0, 0, 0, 0, 0);

  /** Embeds the rows of {@code data}. */
  public static Result fit(float[][] data, Params params) {
    return fitModel(data, params).result();
  }

  /**
   * Embeds the rows of {@code data} and keeps what {@link Model#transform} needs to place new points: the
   * (prepared, reduced) rows, their neighbour graph and the embedding. Memory: the rows as floats plus 15 ints each.
   */
  public static Model fitModel(float[][] data, Params params) {
    if (params == null) {
      throw new IllegalArgumentException("params must not be null");
    }
    int dIn = Metric.checkMatrix(data, "data");
    int n = data.length;
    double[] ab = findAbParams(SPREAD, params.minDist());
    int epochs = params.nEpochs() != null ? params.nEpochs() : (n <= LARGE_DATA ? 500 : 200);
    if (n == 0) {
      return new Model(new Result(new double[0][], 0, epochs, ab[0], ab[1], NO_TIMINGS), params, null, new float[0], 0,
          null);
    }
    if (n == 1) {
      float[] only = params.metric().prepare(data)[0].clone();
      return new Model(new Result(new double[][] {new double[params.nComponents()]}, 1, epochs, ab[0], ab[1],
          NO_TIMINGS), params, null, only, dIn, null);
    }
    ForkJoinPool pool = new ForkJoinPool(params.threads());
    try {
      long t0 = System.nanoTime();
      float[][] x = params.metric().prepare(data);
      int d = dIn;
      Pca.Model reduction = null;
      if (params.pcaComponents() != null && params.pcaComponents() < dIn) {
        Pca.Model pca = Pca.fitApproximate(x, params.pcaComponents(), PCA_FIT_ROWS, PCA_POWER_ITERATIONS);
        reduction = pca;
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
      return new Model(new Result(out, kSelf, epochs, ab[0], ab[1], timings), params, reduction, flat, d, g);
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
      double mid = smoothKnnScale(dist, base, base + k, r, target);
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

  /**
   * smooth_knn_dist's binary search for one point: the scale at which the sum over {@code dist[from..to)} of
   * exp(-max(d - rho, 0) / scale) reaches {@code target} (log2 k). Shared by the fit and by transform.
   */
  static double smoothKnnScale(double[] dist, int from, int to, double rho, double target) {
    double lo = 0;
    double hi = Double.POSITIVE_INFINITY;
    double mid = 1.0;
    for (int iter = 0; iter < 64; iter++) {
      double psum = 0;
      for (int m = from; m < to; m++) {
        double dd = dist[m] - rho;
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
    return mid;
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

  /** Bits of the mantissa that index {@link #LOG2_TABLE}. */
  private static final int LOG_BITS = 9;
  /** Steps per octave of {@link #EXP2_TABLE}. */
  private static final int EXP_BITS = 8;
  /** For mantissa interval i of [1, 2): 1 / c_i and log2(c_i), c_i the interval's centre. */
  private static final double[] INV_C = new double[1 << LOG_BITS];
  private static final double[] LOG2_TABLE = new double[1 << LOG_BITS];
  /** 2^(i / 2^EXP_BITS). */
  private static final double[] EXP2_TABLE = new double[1 << EXP_BITS];
  private static final double LN2 = Math.log(2);
  private static final double INV_LN2 = 1 / LN2;
  /** Adding it to |v| &lt; 2^51 leaves round(v) in the low bits of the sum (the usual rounding trick). */
  private static final double ROUNDER = 0x1.8p52;

  static {
    for (int i = 0; i < INV_C.length; i++) {
      double c = 1 + (i + 0.5) / INV_C.length;
      INV_C[i] = 1 / c;
      LOG2_TABLE[i] = Math.log(c) * INV_LN2;
    }
    for (int i = 0; i < EXP2_TABLE.length; i++) {
      EXP2_TABLE[i] = Math.pow(2, (double) i / EXP2_TABLE.length);
    }
  }

  /**
   * x^y for x &gt; 0, to about 1e-12 relative error, several times faster than {@link Math#pow}, which dominated the
   * SGD's profile (two or more pows per sample, ~10^8 samples, each on the critical path of the next: the negative
   * samples of an edge move the same point one after another, so latency is what counts). 2^(y log2 x) by tables:
   * log2 x = exponent + log2(c) + log2(1 + (m / c - 1)) with c the centre of the mantissa's 1/512 interval
   * (|m / c - 1| &lt; 1/1024, a degree-3 series); 2^w = 2^(j / 256) from a 256-entry table times 2^f for the
   * remaining |f| &lt;= 1/512 (degree 3), j = round(256 w) taken from the bits of a sum rather than by a float-to-int
   * conversion. Falls back to Math.pow outside the normal double range.
   */
  static double fastPow(double x, double y) {
    long bits = Double.doubleToRawLongBits(x);
    int e = (int) (bits >>> 52);
    if (e == 0 || e >= 0x7ff) {
      return Math.pow(x, y); // zero, subnormal, infinite, NaN or negative: rare, keep exact semantics
    }
    int i = (int) (bits >>> (52 - LOG_BITS)) & ((1 << LOG_BITS) - 1);
    double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
    double d = m * INV_C[i] - 1;
    // log2(1 + d) = (d - d^2/2 + d^3/3) / ln 2
    double log2R = d * (INV_LN2 + d * (-0.5 * INV_LN2 + d * (INV_LN2 / 3)));
    double w = y * ((e - 1023) + LOG2_TABLE[i] + log2R);
    if (!(w > -1020 && w < 1020)) {
      return Math.pow(x, y);
    }
    double t = w * (1 << EXP_BITS) + ROUNDER;
    long j = Double.doubleToRawLongBits(t) - Double.doubleToRawLongBits(ROUNDER);
    double f = w - (t - ROUNDER) * (1.0 / (1 << EXP_BITS));
    // 2^f = e^(f ln 2)
    double p = 1 + f * (LN2 + f * (LN2 * LN2 / 2 + f * (LN2 * LN2 * LN2 / 6)));
    return p * EXP2_TABLE[(int) j & ((1 << EXP_BITS) - 1)]
        * Double.longBitsToDouble(((j >> EXP_BITS) + 1023) << 52);
  }

  private static double clip(double v) {
    return v > 4 ? 4 : (v < -4 ? -4 : v);
  }

  /**
   * umap-learn's optimize_layout_euclidean (move_other = true). Each epoch's edges are cut into a fixed number of
   * chunks (independent of the thread count), each with its own generator seeded from (seed, epoch, chunk); the
   * pool balances chunks over threads, so a descheduled thread does not stall the epoch barrier. With one thread
   * the chunks run in order and the result is reproducible.
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
    int chunks = Math.max(1, Math.min(256, m / 2048));
    int[] head = edges.head();
    int[] tail = edges.tail();
    for (int epoch = 0; epoch < nEpochs; epoch++) {
      final int ep = epoch;
      double alpha = INITIAL_ALPHA * (1.0 - (double) epoch / nEpochs);
      java.util.function.IntConsumer chunk = t -> {
        int from = (int) ((long) m * t / chunks);
        int to = (int) ((long) m * (t + 1) / chunks);
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
            // pow(d, b - 1) = pow(d, b) / d saves a second pow per sample, and one division serves both quotients.
            gradCoeff = -2.0 * a * b * powB / (distSq * (a * powB + 1.0));
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
      };
      if (threads == 1) {
        for (int t = 0; t < chunks; t++) {
          chunk.accept(t);
        }
      } else {
        pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(chunk)).join();
      }
    }
  }

  // ---- transform: new points into a fitted embedding ---------------------------------------------------------

  /** umap-learn's epochs for {@code transform} when n_epochs is unset: 100 up to this many new points, else 30. */
  static final int TRANSFORM_SMALL = 10_000;
  /** Below this many fitted points the neighbours of a new point are found exactly (umap-learn's small-data rule). */
  static final int EXACT_SEARCH_MAX = 4_096;
  /** Fitted points whose distances start every graph search (evenly spaced over the fitted rows). */
  static final int SEARCH_ENTRIES = 64;
  /** Candidates kept during a graph search (pynndescent's search queue); more is slower and finds more. */
  static final int SEARCH_QUEUE = 64;

  /**
   * A fitted UMAP that places new points as umap-learn's {@code UMAP.transform} does (0.5): the new point's
   * {@code n_neighbors} nearest fitted points; memberships {@code exp(-d / sigma)} with local_connectivity - 1 = 0
   * (so rho = 0) and sigma by the same binary search as the fit (sum over all neighbours but the nearest equals
   * log2(k)); the start is the membership-weighted mean of the neighbours' embedded positions (a neighbour at
   * distance 0 gives its own position); then {@code n_epochs} of SGD that moves only the new point, pulled by its
   * neighbours and pushed by 5 random fitted points per pull, learning rate 1/4 decaying linearly; n_epochs = 100 when
   * at most 10 000 points are transformed together, else 30 (a third of an explicit nEpochs).
   *
   * <p>Each point is placed on its own, so a Beam pipeline gives the same result whatever its bundles: the batch-wide
   * quantities of umap-learn are taken per point (the maximum membership for edge pruning and sampling rates is 1,
   * the value a batch's maximum reaches as soon as one new point repeats a fitted one; the sigma floor uses the
   * point's own mean distance), and the random generator is seeded from the fit's seed and a per-point key.
   *
   * <p>Neighbour search: exact below {@value #EXACT_SEARCH_MAX} fitted points (as umap-learn); above, a best-first
   * search over the fit's neighbour graph made undirected (pynndescent's search, entered from the nearest of
   * {@value #SEARCH_ENTRIES} evenly spaced fitted points instead of a random-projection-tree leaf).
   */
  public static final class Model implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Result result;
    private final Params params;
    private final Pca.Model reduction;
    private final float[] rows;
    private final int dims;
    private final int[] graph;
    private final int graphK;
    private transient volatile int[][] adjacency;
    private transient ThreadLocal<int[]> visitStamps;

    Model(Result result, Params params, Pca.Model reduction, float[] rows, int dims, NnDescent.Graph g) {
      this.result = result;
      this.params = params;
      this.reduction = reduction;
      this.rows = rows;
      this.dims = dims;
      this.graph = g == null ? new int[0] : g.idx();
      this.graphK = g == null ? 0 : g.k();
    }

    public Result result() {
      return result;
    }

    public Params params() {
      return params;
    }

    /** Fitted points. */
    public int size() {
      return result.embedding().length;
    }

    /** The epochs umap-learn's transform runs when it is given {@code newPoints} points at once. */
    public int transformEpochs(long newPoints) {
      if (params.nEpochs() != null) {
        return Math.max(1, params.nEpochs() / 3);
      }
      return newPoints <= TRANSFORM_SMALL ? 100 : 30;
    }

    /** Places several new points (transformed together: their count sets the epochs); key = row index. */
    public double[][] transform(float[][] points) {
      double[][] out = new double[points.length][];
      int epochs = transformEpochs(points.length);
      for (int i = 0; i < points.length; i++) {
        out[i] = transform(points[i], epochs, i);
      }
      return out;
    }

    /**
     * Places one new point.
     *
     * @param epochs see {@link #transformEpochs}
     * @param key identifies the point (e.g. its set and row): seeds its random generator, so a point lands at the same
     *     place however the points are batched
     */
    public double[] transform(float[] point, int epochs, long key) {
      int n = size();
      int c = params.nComponents();
      if (n == 0) {
        throw new IllegalStateException("UMAP was fitted on no points; nothing to place new points against");
      }
      int dIn = reduction != null ? reduction.mean().length : dims;
      if (point.length != dIn) {
        throw new IllegalArgumentException("The point has " + point.length + " values; UMAP was fitted on " + dIn);
      }
      float[] q = params.metric().prepare(new float[][] {point})[0];
      if (reduction != null) {
        double[] r = reduction.transform(new float[][] {q})[0];
        q = new float[r.length];
        for (int j = 0; j < r.length; j++) {
          q[j] = (float) r[j];
        }
      }
      if (n == 1) {
        return result.embedding()[0].clone();
      }
      int k = Math.min(result.nNeighborsUsed(), n);
      int[] ids = new int[k];
      double[] dist = new double[k];
      neighbours(q, k, ids, dist);
      double[] w = memberships(dist);
      double[][] emb = result.embedding();
      double[] cur = new double[c];
      double sum = 0;
      for (double v : w) {
        sum += v;
      }
      for (int j = 0; j < k; j++) {
        if (w[j] == 1.0) {
          System.arraycopy(emb[ids[j]], 0, cur, 0, c);
          break;
        }
        for (int t = 0; t < c; t++) {
          cur[t] += w[j] / sum * emb[ids[j]][t];
        }
      }
      optimiseOne(cur, ids, w, epochs, key);
      return cur;
    }

    /** smooth_knn_dist with local_connectivity 0, then compute_membership_strengths (bipartite). */
    static double[] memberships(double[] dist) {
      int k = dist.length;
      double target = Math.log(k) / Math.log(2);
      // umap-learn's loop starts at the second neighbour: its first column is meant to be the point itself.
      double mid = smoothKnnScale(dist, 1, k, 0, target);
      double mean = 0;
      for (double v : dist) {
        mean += v;
      }
      mean /= k;
      double sigma = Math.max(mid, MIN_K_DIST_SCALE * mean);
      double[] w = new double[k];
      for (int j = 0; j < k; j++) {
        w[j] = dist[j] <= 0 || sigma == 0 ? 1.0 : Math.exp(-(dist[j] / sigma));
      }
      return w;
    }

    /** optimize_layout_euclidean with move_other = false, for one point's edges. */
    private void optimiseOne(double[] cur, int[] ids, double[] w, int epochs, long key) {
      int c = cur.length;
      int k = ids.length;
      double a = result.a();
      double b = result.b();
      double[][] emb = result.embedding();
      int n = emb.length;
      double[] epochsPerSample = new double[k];
      double[] nextSample = new double[k];
      double[] epochsPerNeg = new double[k];
      double[] nextNeg = new double[k];
      boolean[] used = new boolean[k];
      for (int j = 0; j < k; j++) {
        // Edges too weak to be sampled once in the run are dropped (max weight taken as 1, see the class doc).
        used[j] = w[j] >= 1.0 / epochs;
        epochsPerSample[j] = 1.0 / w[j];
        nextSample[j] = epochsPerSample[j];
        epochsPerNeg[j] = epochsPerSample[j] / NEGATIVE_SAMPLE_RATE;
        nextNeg[j] = epochsPerNeg[j];
      }
      SplittableRandom rnd = new SplittableRandom(NnDescent.mix(params.randomSeed(), 0x7A5FL, key, 0));
      for (int epoch = 0; epoch < epochs; epoch++) {
        double alpha = INITIAL_ALPHA / 4.0 * (1.0 - (double) epoch / epochs);
        for (int j = 0; j < k; j++) {
          if (!used[j] || nextSample[j] > epoch) {
            continue;
          }
          double[] other = emb[ids[j]];
          double distSq = 0;
          for (int t = 0; t < c; t++) {
            double diff = cur[t] - other[t];
            distSq += diff * diff;
          }
          double gradCoeff = 0;
          if (distSq > 0) {
            double powB = fastPow(distSq, b);
            gradCoeff = -2.0 * a * b * (powB / distSq) / (a * powB + 1.0);
          }
          for (int t = 0; t < c; t++) {
            cur[t] += clip(gradCoeff * (cur[t] - other[t])) * alpha;
          }
          nextSample[j] += epochsPerSample[j];
          int nNeg = (int) ((epoch - nextNeg[j]) / epochsPerNeg[j]);
          for (int s = 0; s < nNeg; s++) {
            double[] neg = emb[rnd.nextInt(n)];
            double dsq = 0;
            for (int t = 0; t < c; t++) {
              double diff = cur[t] - neg[t];
              dsq += diff * diff;
            }
            double gc = dsq > 0 ? 2.0 * b / ((0.001 + dsq) * (a * fastPow(dsq, b) + 1)) : 0;
            for (int t = 0; t < c; t++) {
              cur[t] += (gc > 0 ? clip(gc * (cur[t] - neg[t])) : 4.0) * alpha;
            }
          }
          nextNeg[j] += nNeg * epochsPerNeg[j];
        }
      }
    }

    /** The k nearest fitted rows of q, ascending (euclidean distances). */
    void neighbours(float[] q, int k, int[] ids, double[] dist) {
      int n = size();
      if (n <= EXACT_SEARCH_MAX || graphK == 0) {
        float[] ds = new float[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
          ds[i] = distSq(q, i);
          order[i] = i;
        }
        Arrays.sort(order, (x, y) -> {
          int cmp = Float.compare(ds[x], ds[y]);
          return cmp != 0 ? cmp : Integer.compare(x, y);
        });
        for (int j = 0; j < k; j++) {
          ids[j] = order[j];
          dist[j] = Math.sqrt(ds[order[j]]);
        }
        return;
      }
      graphSearch(q, k, ids, dist);
    }

    private float distSq(float[] q, int row) {
      int base = row * dims;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      int j = 0;
      for (; j + 3 < dims; j += 4) {
        float d0 = q[j] - rows[base + j];
        float d1 = q[j + 1] - rows[base + j + 1];
        float d2 = q[j + 2] - rows[base + j + 2];
        float d3 = q[j + 3] - rows[base + j + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      for (; j < dims; j++) {
        float d0 = q[j] - rows[base + j];
        s0 += d0 * d0;
      }
      return (s0 + s1) + (s2 + s3);
    }

    private int[][] adjacency() {
      int[][] adj = adjacency;
      if (adj == null) {
        synchronized (this) {
          adj = adjacency;
          if (adj == null) {
            int n = size();
            int[] deg = new int[n];
            for (int i = 0; i < n; i++) {
              for (int m = 0; m < graphK; m++) {
                deg[i]++;
                deg[graph[i * graphK + m]]++;
              }
            }
            adj = new int[n][];
            for (int i = 0; i < n; i++) {
              adj[i] = new int[deg[i]];
            }
            int[] fill = new int[n];
            for (int i = 0; i < n; i++) {
              for (int m = 0; m < graphK; m++) {
                int j = graph[i * graphK + m];
                adj[i][fill[i]++] = j;
                adj[j][fill[j]++] = i;
              }
            }
            visitStamps = ThreadLocal.withInitial(() -> new int[n + 1]);
            adjacency = adj;
          }
        }
      }
      return adj;
    }

    /** Best-first search over the undirected neighbour graph, keeping the SEARCH_QUEUE closest rows seen. */
    private void graphSearch(float[] q, int k, int[] ids, double[] dist) {
      int[][] adj = adjacency();
      int n = size();
      int[] stamps = visitStamps.get();
      // stamps[n] holds this thread's generation; a row is visited when its stamp equals it.
      int gen = ++stamps[n];
      if (gen == Integer.MAX_VALUE) {
        Arrays.fill(stamps, 0);
        gen = stamps[n] = 1;
      }
      int ef = Math.max(k, SEARCH_QUEUE);
      // results: max-heap of the ef best; candidates: min-heap of rows to expand
      float[] resD = new float[ef];
      int[] resI = new int[ef];
      int resN = 0;
      float[] candD = new float[16];
      int[] candI = new int[16];
      int candN = 0;
      int entries = Math.min(n, SEARCH_ENTRIES);
      for (int e = 0; e < entries; e++) {
        int row = (int) ((long) e * n / entries);
        stamps[row] = gen;
        float d = distSq(q, row);
        if (resN < ef || d < resD[0]) {
          resN = heapPushMax(resD, resI, resN, ef, d, row);
        }
      }
      // expand from the best entries only: the others would be dropped at once
      for (int t = 0; t < resN; t++) {
        if (candN == candD.length) {
          candD = Arrays.copyOf(candD, candN * 2);
          candI = Arrays.copyOf(candI, candN * 2);
        }
        candN = heapPushMin(candD, candI, candN, resD[t], resI[t]);
      }
      while (candN > 0) {
        float cd = candD[0];
        int ci = candI[0];
        candN = heapPopMin(candD, candI, candN);
        if (resN == ef && cd > resD[0]) {
          break;
        }
        for (int nb : adj[ci]) {
          if (stamps[nb] == gen) {
            continue;
          }
          stamps[nb] = gen;
          float d = distSq(q, nb);
          if (resN < ef || d < resD[0]) {
            resN = heapPushMax(resD, resI, resN, ef, d, nb);
            if (candN == candD.length) {
              candD = Arrays.copyOf(candD, candN * 2);
              candI = Arrays.copyOf(candI, candN * 2);
            }
            candN = heapPushMin(candD, candI, candN, d, nb);
          }
        }
      }
      Integer[] order = new Integer[resN];
      for (int t = 0; t < resN; t++) {
        order[t] = t;
      }
      final float[] rd = resD;
      final int[] ri = resI;
      Arrays.sort(order, (x, y) -> {
        int cmp = Float.compare(rd[x], rd[y]);
        return cmp != 0 ? cmp : Integer.compare(ri[x], ri[y]);
      });
      for (int j = 0; j < k; j++) {
        ids[j] = ri[order[j]];
        dist[j] = Math.sqrt(rd[order[j]]);
      }
    }

    /** Pushes into a bounded max-heap (replacing the root when full); returns the new size. */
    private static int heapPushMax(float[] d, int[] id, int size, int cap, float v, int i) {
      int pos;
      if (size < cap) {
        pos = size++;
        while (pos > 0) {
          int parent = (pos - 1) / 2;
          if (d[parent] >= v) {
            break;
          }
          d[pos] = d[parent];
          id[pos] = id[parent];
          pos = parent;
        }
        d[pos] = v;
        id[pos] = i;
        return size;
      }
      pos = 0;
      while (true) {
        int l = 2 * pos + 1;
        if (l >= size) {
          break;
        }
        int ch = l + 1 < size && d[l + 1] > d[l] ? l + 1 : l;
        if (d[ch] <= v) {
          break;
        }
        d[pos] = d[ch];
        id[pos] = id[ch];
        pos = ch;
      }
      d[pos] = v;
      id[pos] = i;
      return size;
    }

    private static int heapPushMin(float[] d, int[] id, int size, float v, int i) {
      int pos = size++;
      while (pos > 0) {
        int parent = (pos - 1) / 2;
        if (d[parent] <= v) {
          break;
        }
        d[pos] = d[parent];
        id[pos] = id[parent];
        pos = parent;
      }
      d[pos] = v;
      id[pos] = i;
      return size;
    }

    private static int heapPopMin(float[] d, int[] id, int size) {
      size--;
      float v = d[size];
      int i = id[size];
      int pos = 0;
      while (true) {
        int l = 2 * pos + 1;
        if (l >= size) {
          break;
        }
        int ch = l + 1 < size && d[l + 1] < d[l] ? l + 1 : l;
        if (d[ch] >= v) {
          break;
        }
        d[pos] = d[ch];
        id[pos] = id[ch];
        pos = ch;
      }
      d[pos] = v;
      id[pos] = i;
      return size;
    }
  }
}
