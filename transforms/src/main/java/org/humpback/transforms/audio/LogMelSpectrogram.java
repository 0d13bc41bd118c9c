package org.humpback.transforms.audio;

import java.util.Objects;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The log-mel front end, equal to librosa 0.10
 * {@code power_to_db(melspectrogram(y, sr, n_fft, hop_length, n_mels, fmin, fmax, power), ref, amin, top_db)}
 * with librosa's defaults for everything else (periodic Hann window of {@code n_fft} samples,
 * {@code center=True} with {@code n_fft/2} zeros on both sides, Slaney mel scale and norm).
 *
 * <p>Everything is computed in double precision and only the final dB values are rounded to float32;
 * against librosa's own float32 output the difference is below 5e-5 dB (see
 * {@code shared/golden/librosa/README.md} for every convention and the measured tolerances).
 *
 * <p>With {@code dbRef == null} ({@code ref=np.max}) the reference is the largest mel power of the
 * window being computed, over all bands and all of its natural frames. The {@code top_db} clip is relative
 * to the window's largest dB value. After that, {@code targetFrames} is applied: extra frames are cut
 * from the end, and missing frames are appended at the end holding the window's smallest dB value.
 *
 * <p><b>Not thread-safe:</b> an instance reuses its FFT and frame buffers between calls. Use one per
 * thread (a Beam DoFn holds one per DoFn instance). Creating one is cheap: the filterbank is cached.
 */
public final class LogMelSpectrogram {

  private final FrontEndConfig config;
  private final MelFilterBank bank;
  private final int nFft;
  private final int hop;
  private final int nBins;
  private final int nMels;
  private final double[] window;
  private final DoubleFFT_1D fft;
  private final double[] frame;
  private final double[] framePower;
  private double[] melBuffer = new double[0];

  private LogMelSpectrogram(FrontEndConfig config) {
    this.config = config;
    this.bank = MelFilterBank.of(config);
    this.nFft = config.nFft();
    this.hop = config.hopLength();
    this.nBins = nFft / 2 + 1;
    this.nMels = config.nMels();
    this.window = hannPeriodic(nFft);
    this.fft = new DoubleFFT_1D(nFft);
    // realForward works in place on n values (even n); odd n needs realForwardFull's 2n complex layout.
    this.frame = new double[nFft % 2 == 0 ? nFft : 2 * nFft];
    this.framePower = new double[nBins];
  }

  /** A front end for this configuration (its features type is not consulted: this always computes log-mel). */
  public static LogMelSpectrogram of(FrontEndConfig config) {
    Objects.requireNonNull(config, "config");
    return new LogMelSpectrogram(config);
  }

  public FrontEndConfig config() {
    return config;
  }

  public MelFilterBank filterBank() {
    return bank;
  }

  /**
   * The periodic ("DFT-even") Hann window {@code w[n] = 0.5 - 0.5 cos(2πn/N)}, computed as scipy does:
   * {@code 0.5 + 0.5 cos(linspace(-π, π, N+1))[:N]}.
   */
  public static double[] hannPeriodic(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Invalid window length: " + n + " (expected >= 1)");
    }
    double[] w = new double[n];
    double step = 2 * Math.PI / n;
    for (int i = 0; i < n; i++) {
      w[i] = 0.5 + 0.5 * Math.cos(i * step + -Math.PI);
    }
    return w;
  }

  /** librosa's STFT frame count with {@code center=True}: {@code 1 + (len + 2·(n_fft/2) − n_fft) / hop}. */
  public int naturalFrames(int nSamples) {
    return 1 + (nSamples + 2 * (nFft / 2) - nFft) / hop;
  }

  /** Frames {@link #compute} returns for a window of this many samples (targetFrames, or the natural count if 0). */
  public int outputFrames(int nSamples) {
    return config.targetFrames() > 0 ? config.targetFrames() : naturalFrames(nSamples);
  }

  /** {@code |STFT|^power}, {@code [n_fft/2 + 1][frames]}, for debugging and tests. */
  public double[][] stftPower(float[] samples) {
    int frames = naturalFrames(samples.length);
    double[][] out = new double[nBins][frames];
    for (int t = 0; t < frames; t++) {
      framePower(samples, t);
      for (int k = 0; k < nBins; k++) {
        out[k][t] = framePower[k];
      }
    }
    return out;
  }

  /** The mel power spectrogram {@code M = W·|STFT|^power}, {@code [n_mels][frames]} (librosa melspectrogram). */
  public double[][] melPower(float[] samples) {
    int frames = melPowerInto(samples);
    double[][] out = new double[nMels][frames];
    for (int m = 0; m < nMels; m++) {
      System.arraycopy(melBuffer, m * frames, out[m], 0, frames);
    }
    return out;
  }

  /** The model input: log-mel dB, {@code [n_mels][outputFrames]}. */
  public float[][] compute(float[] samples) {
    int frames = outputFrames(samples.length);
    float[] flat = computeFlat(samples);
    float[][] out = new float[nMels][frames];
    for (int m = 0; m < nMels; m++) {
      System.arraycopy(flat, m * frames, out[m], 0, frames);
    }
    return out;
  }

  /**
   * As {@link #compute} but flattened row-major: element {@code [m][t]} at {@code m * frames + t}.
   *
   * @throws IllegalArgumentException if the window holds NaN or infinite samples
   */
  public float[] computeFlat(float[] samples) {
    int frames = melPowerInto(samples);
    double[] mel = melBuffer;
    int cells = nMels * frames;
    double amin = config.amin();
    double ref;
    if (config.dbRef() == null) {
      ref = 0.0;
      for (int i = 0; i < cells; i++) {
        ref = Math.max(ref, mel[i]);
      }
    } else {
      ref = Math.abs(config.dbRef());
    }
    double refDb = 10.0 * Math.log10(Math.max(amin, ref));
    double maxDb = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < cells; i++) {
      double d = 10.0 * Math.log10(Math.max(amin, mel[i])) - refDb;
      mel[i] = d;
      maxDb = Math.max(maxDb, d);
    }
    double floor = config.topDb() == null ? Double.NEGATIVE_INFINITY : maxDb - config.topDb();
    double minDb = Double.POSITIVE_INFINITY;
    for (int i = 0; i < cells; i++) {
      double d = Math.max(mel[i], floor);
      mel[i] = d;
      minDb = Math.min(minDb, d);
    }
    int outFrames = outputFrames(samples.length);
    float[] out = new float[nMels * outFrames];
    int copy = Math.min(frames, outFrames);
    float pad = (float) minDb;
    for (int m = 0; m < nMels; m++) {
      int src = m * frames;
      int dst = m * outFrames;
      for (int t = 0; t < copy; t++) {
        out[dst + t] = (float) mel[src + t];
      }
      for (int t = copy; t < outFrames; t++) {
        out[dst + t] = pad;
      }
    }
    return out;
  }

  /** Fills {@link #melBuffer} with {@code [n_mels][frames]} mel power; returns the frame count. */
  private int melPowerInto(float[] samples) {
    Objects.requireNonNull(samples, "samples");
    int frames = naturalFrames(samples.length);
    int cells = nMels * frames;
    if (melBuffer.length != cells) {
      melBuffer = new double[cells];
    }
    boolean finite = true;
    for (int t = 0; t < frames; t++) {
      framePower(samples, t);
      bank.apply(framePower, 0, melBuffer, t, frames);
    }
    // A NaN or infinite sample poisons every frame it touches; finite float input cannot overflow double.
    for (int i = 0; i < cells && finite; i++) {
      finite = melBuffer[i] <= Double.MAX_VALUE;
    }
    if (!finite) {
      throw new IllegalArgumentException("Invalid samples: window holds a non-finite value at index "
          + firstNonFinite(samples) + " of " + samples.length);
    }
    return frames;
  }

  private static int firstNonFinite(float[] x) {
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Windowed, zero-padded frame {@code t}, transformed; its {@code |X|^power} goes to {@link #framePower}. */
  private void framePower(float[] x, int t) {
    // Frame t covers original samples [t·hop − n_fft/2, t·hop − n_fft/2 + n_fft); outside [0, len) is zero.
    int start = t * hop - nFft / 2;
    int lo = Math.max(0, -start);
    int hi = Math.min(nFft, x.length - start);
    double[] a = frame;
    for (int n = 0; n < lo; n++) {
      a[n] = 0.0;
    }
    for (int n = lo; n < hi; n++) {
      a[n] = window[n] * x[start + n];
    }
    for (int n = Math.max(hi, lo); n < nFft; n++) {
      a[n] = 0.0;
    }
    double[] p = framePower;
    if (nFft % 2 == 0) {
      // JTransforms packed layout for even n: a[0] = Re X0, a[1] = Re X(n/2), a[2k], a[2k+1] = Re, Im Xk.
      fft.realForward(a);
      p[0] = a[0] * a[0];
      p[nBins - 1] = a[1] * a[1];
      for (int k = 1; k < nBins - 1; k++) {
        double re = a[2 * k];
        double im = a[2 * k + 1];
        p[k] = re * re + im * im;
      }
    } else {
      fft.realForwardFull(a);
      for (int k = 0; k < nBins; k++) {
        double re = a[2 * k];
        double im = a[2 * k + 1];
        p[k] = re * re + im * im;
      }
    }
    double power = config.power();
    if (power == 1.0) {
      for (int k = 0; k < nBins; k++) {
        p[k] = Math.sqrt(p[k]);
      }
    } else if (power != 2.0) {
      double half = power / 2.0;
      for (int k = 0; k < nBins; k++) {
        p[k] = Math.pow(p[k], half);
      }
    }
  }
}
