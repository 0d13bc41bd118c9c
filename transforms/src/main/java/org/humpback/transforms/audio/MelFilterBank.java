package org.humpback.transforms.audio;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mel filterbank equal to librosa 0.10 {@code filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm)}:
 * triangles that are linear in Hz between mel-spaced edge frequencies, optionally area-normalised
 * ("slaney" norm, librosa's default).
 *
 * <p>Built in double precision following librosa's operation order (see
 * {@code shared/golden/librosa/README.md}, conventions 5 and 6), so it agrees with librosa's float32
 * weights to about 1e-9. Stored sparsely: band {@code m} is non-zero only on FFT bins
 * {@code [startBin(m), endBin(m))}, which makes {@link #apply} cost about two multiplications per bin.
 *
 * <p>Instances are immutable and thread-safe; {@link #of} caches them per parameter set.
 */
public final class MelFilterBank {

  private static final Logger LOG = LoggerFactory.getLogger(MelFilterBank.class);

  /** Band normalisation, as librosa's {@code norm} argument. */
  public enum Norm {
    /** Multiply band i by {@code 2 / (f[i+2] - f[i])} so each triangle has unit area in Hz (librosa default). */
    SLANEY,
    /** Peak-1 triangles, no normalisation ({@code norm=None}). */
    NONE
  }

  private static final double F_SP = 200.0 / 3;
  private static final double MIN_LOG_HZ = 1000.0;
  private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
  private static final double LOGSTEP = Math.log(6.4) / 27.0;

  private record Key(int sampleRate, int nFft, int nMels, double fmin, double fmax, boolean htk, Norm norm) {}

  private static final ConcurrentHashMap<Key, MelFilterBank> CACHE = new ConcurrentHashMap<>();

  private final int sampleRate;
  private final int nFft;
  private final int nMels;
  private final double fmin;
  private final double fmax;
  private final boolean htk;
  private final Norm norm;
  private final double[] bandEdgesHz;
  private final int[] startBin;
  private final int[] endBin;
  private final double[][] rows;
  private final int emptyBands;

  private MelFilterBank(Key k) {
    this.sampleRate = k.sampleRate;
    this.nFft = k.nFft;
    this.nMels = k.nMels;
    this.fmin = k.fmin;
    this.fmax = k.fmax;
    this.htk = k.htk;
    this.norm = k.norm;
    this.bandEdgesHz = melFrequencies(nMels + 2, fmin, fmax, htk);
    double[] fftFreqs = fftFrequencies(sampleRate, nFft);
    int nBins = fftFreqs.length;
    this.startBin = new int[nMels];
    this.endBin = new int[nMels];
    this.rows = new double[nMels][];
    double[] dense = new double[nBins];
    int empty = 0;
    for (int i = 0; i < nMels; i++) {
      // librosa: ramps = mel_f[:, None] - fftfreqs; lower = -ramps[i] / fdiff[i]; upper = ramps[i+2] / fdiff[i+1]
      double fdiffLo = bandEdgesHz[i + 1] - bandEdgesHz[i];
      double fdiffHi = bandEdgesHz[i + 2] - bandEdgesHz[i + 1];
      double enorm = norm == Norm.SLANEY ? 2.0 / (bandEdgesHz[i + 2] - bandEdgesHz[i]) : 1.0;
      int first = -1;
      int last = -1;
      for (int b = 0; b < nBins; b++) {
        double lower = -(bandEdgesHz[i] - fftFreqs[b]) / fdiffLo;
        double upper = (bandEdgesHz[i + 2] - fftFreqs[b]) / fdiffHi;
        double w = Math.max(0.0, Math.min(lower, upper));
        dense[b] = w * enorm;
        if (dense[b] != 0.0) {
          if (first < 0) {
            first = b;
          }
          last = b;
        }
      }
      if (first < 0) {
        // An empty band (librosa warns "Empty filters detected"); keep it, it just yields zero power.
        startBin[i] = 0;
        endBin[i] = 0;
        rows[i] = new double[0];
        empty++;
      } else {
        startBin[i] = first;
        endBin[i] = last + 1;
        rows[i] = Arrays.copyOfRange(dense, first, last + 1);
      }
    }
    this.emptyBands = empty;
    if (empty > 0) {
      // librosa warns too ("Empty filters detected in mel frequency basis"); such bands hold only the dB floor.
      LOG.warn("{}: {} of {} mel bands cover no FFT bin (too many mels for n_fft={}); they will hold the dB floor",
          this, empty, nMels, nFft);
    }
  }

  /**
   * The filterbank for these parameters, built once and cached.
   *
   * @param fmax highest edge in Hz; {@code null} means {@code sampleRate / 2}
   */
  public static MelFilterBank of(int sampleRate, int nFft, int nMels, double fmin, Double fmax, boolean htk, Norm norm) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("Invalid sample_rate: " + sampleRate + " (expected > 0)");
    }
    if (nFft < 2) {
      throw new IllegalArgumentException("Invalid n_fft: " + nFft + " (expected >= 2)");
    }
    if (nMels < 1) {
      throw new IllegalArgumentException("Invalid n_mels: " + nMels + " (expected >= 1)");
    }
    double top = fmax == null ? sampleRate / 2.0 : fmax;
    if (!(fmin >= 0) || !Double.isFinite(fmin)) {
      throw new IllegalArgumentException("Invalid fmin: " + fmin + " (expected a finite value >= 0)");
    }
    if (!(top > fmin) || !Double.isFinite(top)) {
      throw new IllegalArgumentException("Invalid fmax: " + top + " (expected a finite value > fmin = " + fmin + ")");
    }
    Objects.requireNonNull(norm, "norm");
    return CACHE.computeIfAbsent(new Key(sampleRate, nFft, nMels, fmin, top, htk, norm), MelFilterBank::new);
  }

  /** librosa's default: Slaney mel scale, Slaney area normalisation. */
  public static MelFilterBank of(int sampleRate, int nFft, int nMels, double fmin, Double fmax) {
    return of(sampleRate, nFft, nMels, fmin, fmax, false, Norm.SLANEY);
  }

  /** The filterbank a front-end configuration uses (Slaney scale and norm, as librosa's defaults). */
  public static MelFilterBank of(FrontEndConfig config) {
    return of(config.sampleRate(), config.nFft(), config.nMels(), config.fmin(), config.effectiveFmax());
  }

  // ---------------------------------------------------------------- mel scale (librosa core/convert.py)

  /** librosa {@code hz_to_mel}: Slaney (linear below 1 kHz, logarithmic above) or HTK. */
  public static double hzToMel(double hz, boolean htk) {
    if (htk) {
      return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }
    if (hz >= MIN_LOG_HZ) {
      return MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP;
    }
    return hz / F_SP;
  }

  /** librosa {@code mel_to_hz}, the inverse of {@link #hzToMel}. */
  public static double melToHz(double mel, boolean htk) {
    if (htk) {
      return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
    }
    if (mel >= MIN_LOG_MEL) {
      return MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL));
    }
    return F_SP * mel;
  }

  /**
   * librosa {@code mel_frequencies(n, fmin, fmax, htk)}: {@code n} frequencies in Hz equally spaced on the
   * mel scale, endpoints included (numpy {@code linspace} arithmetic: {@code start + i * step}, last = stop).
   */
  public static double[] melFrequencies(int n, double fmin, double fmax, boolean htk) {
    if (n < 1) {
      throw new IllegalArgumentException("Invalid n: " + n + " (expected >= 1)");
    }
    double minMel = hzToMel(fmin, htk);
    double maxMel = hzToMel(fmax, htk);
    double[] hz = new double[n];
    if (n == 1) {
      hz[0] = melToHz(minMel, htk);
      return hz;
    }
    double step = (maxMel - minMel) / (n - 1);
    for (int i = 0; i < n; i++) {
      double mel = i == n - 1 ? maxMel : i * step + minMel;
      hz[i] = melToHz(mel, htk);
    }
    return hz;
  }

  /** numpy {@code rfftfreq(n_fft, 1/sr)}: {@code k * sr / n_fft} for {@code k = 0 .. n_fft/2}. */
  public static double[] fftFrequencies(int sampleRate, int nFft) {
    double val = 1.0 / (nFft * (1.0 / sampleRate));
    double[] f = new double[nFft / 2 + 1];
    for (int k = 0; k < f.length; k++) {
      f[k] = k * val;
    }
    return f;
  }

  // ---------------------------------------------------------------- accessors

  public int sampleRate() {
    return sampleRate;
  }

  public int nFft() {
    return nFft;
  }

  public int nMels() {
    return nMels;
  }

  /** FFT bins per frame, {@code n_fft/2 + 1}. */
  public int nBins() {
    return nFft / 2 + 1;
  }

  public double fmin() {
    return fmin;
  }

  public double fmax() {
    return fmax;
  }

  public boolean htk() {
    return htk;
  }

  public Norm norm() {
    return norm;
  }

  /** Bands with no non-zero weight (too many mels for the FFT resolution); 0 for sensible parameters. */
  public int emptyBands() {
    return emptyBands;
  }

  /** The {@code n_mels + 2} band edge frequencies in Hz (a copy). */
  public double[] bandEdgesHz() {
    return bandEdgesHz.clone();
  }

  /** First FFT bin with non-zero weight in band {@code m}. */
  public int startBin(int m) {
    return startBin[m];
  }

  /** One past the last FFT bin with non-zero weight in band {@code m} ({@code == startBin} for an empty band). */
  public int endBin(int m) {
    return endBin[m];
  }

  /** Weights of band {@code m} on bins {@code [startBin(m), endBin(m))} (a copy). */
  public double[] bandWeights(int m) {
    return rows[m].clone();
  }

  /** The dense {@code [n_mels][n_fft/2 + 1]} weight matrix, as librosa returns it. */
  public double[][] weights() {
    double[][] w = new double[nMels][nBins()];
    for (int m = 0; m < nMels; m++) {
      System.arraycopy(rows[m], 0, w[m], startBin[m], rows[m].length);
    }
    return w;
  }

  /**
   * Projects one frame's power spectrum onto the bands: {@code out[m] = Σ_k W[m,k] · power[k]}.
   *
   * @param power {@code n_fft/2 + 1} values starting at {@code powerOffset}
   */
  public void apply(double[] power, int powerOffset, double[] out, int outOffset) {
    for (int m = 0; m < nMels; m++) {
      double[] row = rows[m];
      int base = powerOffset + startBin[m];
      double acc = 0.0;
      for (int j = 0; j < row.length; j++) {
        acc += row[j] * power[base + j];
      }
      out[outOffset + m] = acc;
    }
  }

  /**
   * As {@link #apply(double[], int, double[], int)}, writing band {@code m} to
   * {@code out[outOffset + m * outStride]} so a caller can fill one column of a {@code [n_mels][frames]}
   * array.
   */
  public void apply(double[] power, int powerOffset, double[] out, int outOffset, int outStride) {
    for (int m = 0; m < nMels; m++) {
      double[] row = rows[m];
      int base = powerOffset + startBin[m];
      double acc = 0.0;
      for (int j = 0; j < row.length; j++) {
        acc += row[j] * power[base + j];
      }
      out[outOffset + m * outStride] = acc;
    }
  }

  @Override
  public String toString() {
    return "MelFilterBank[sr=" + sampleRate + ", n_fft=" + nFft + ", n_mels=" + nMels + ", fmin=" + fmin
        + ", fmax=" + fmax + ", " + (htk ? "htk" : "slaney") + " scale, norm=" + norm.name().toLowerCase() + "]";
  }
}
