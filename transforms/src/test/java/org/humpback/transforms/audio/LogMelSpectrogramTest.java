package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the golden data: frame counts, padding, options, odd FFT sizes, bad input. */
class LogMelSpectrogramTest {

  private static float[] noise(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.1 * r.nextGaussian());
    }
    return x;
  }

  /** Direct O(N²) DFT of one centred, zero-padded, Hann-windowed frame: |X_k|². */
  private static double[] naivePower(float[] x, int nFft, int hop, int t) {
    double[] w = LogMelSpectrogram.hannPeriodic(nFft);
    double[] p = new double[nFft / 2 + 1];
    int start = t * hop - nFft / 2;
    for (int k = 0; k < p.length; k++) {
      double re = 0;
      double im = 0;
      for (int n = 0; n < nFft; n++) {
        int i = start + n;
        double v = i >= 0 && i < x.length ? x[i] * w[n] : 0.0;
        double ang = -2 * Math.PI * k * (double) n / nFft;
        re += v * Math.cos(ang);
        im += v * Math.sin(ang);
      }
      p[k] = re * re + im * im;
    }
    return p;
  }

  @Test
  void stftMatchesDirectDftForEvenAndOddSizes() {
    for (int nFft : new int[] {64, 63}) {
      FrontEndConfig c = FrontEndConfig.defaults().withSampleRate(8000).withWindowSeconds(0.05)
          .withNFft(nFft).withHopLength(16).withNMels(8).withTargetFrames(0);
      float[] x = noise(400, nFft);
      LogMelSpectrogram lm = LogMelSpectrogram.of(c);
      double[][] p = lm.stftPower(x);
      int frames = lm.naturalFrames(x.length);
      // librosa: 1 + (len + 2*(n_fft//2) - n_fft) // hop
      assertEquals(1 + (400 + 2 * (nFft / 2) - nFft) / 16, frames);
      assertEquals(frames, p[0].length);
      assertEquals(1 + (400 + 2 * (nFft / 2) - nFft) / 16, c.withWindowSeconds(400 / 8000.0).naturalFrames());
      for (int t : new int[] {0, 1, frames / 2, frames - 1}) {
        double[] ref = naivePower(x, nFft, 16, t);
        for (int k = 0; k < ref.length; k++) {
          assertEquals(ref[k], p[k][t], 1e-9 * (1 + ref[k]), "n_fft " + nFft + " bin " + k + " frame " + t);
        }
      }
    }
  }

  @Test
  void frameCountsFollowLibrosa() {
    LogMelSpectrogram lm = LogMelSpectrogram.of(FrontEndConfig.defaults());
    assertEquals(128, lm.naturalFrames(160000));
    assertEquals(FrontEndConfig.defaults().naturalFrames(), lm.naturalFrames(160000));
    assertEquals(1, lm.naturalFrames(0));
    assertEquals(1, lm.naturalFrames(1251));
    assertEquals(2, lm.naturalFrames(1252));
  }

  @Test
  void targetFramesTruncatesFromTheEnd() {
    FrontEndConfig natural = FrontEndConfig.defaults().withTargetFrames(0);
    float[] x = noise(160000, 1);
    float[][] full = LogMelSpectrogram.of(natural).compute(x);
    float[][] cut = LogMelSpectrogram.of(natural.withTargetFrames(100)).compute(x);
    assertEquals(128, full[0].length);
    assertEquals(100, cut[0].length);
    for (int m = 0; m < 128; m++) {
      for (int t = 0; t < 100; t++) {
        // ref=max and top_db are taken over the natural frames, so the kept cells are unchanged.
        assertEquals(full[m][t], cut[m][t], 0.0);
      }
    }
  }

  @Test
  void targetFramesPadsAtTheEndWithTheWindowMinimum() {
    FrontEndConfig natural = FrontEndConfig.defaults().withTargetFrames(0);
    float[] x = noise(160000, 2);
    x[1000] = 5f; // a loud click so that top_db clips some cells
    float[][] full = LogMelSpectrogram.of(natural).compute(x);
    float[][] padded = LogMelSpectrogram.of(natural.withTargetFrames(140)).compute(x);
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float[] row : full) {
      for (float v : row) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    assertEquals(0f, max, 1e-6f, "ref=max puts the maximum at 0 dB");
    assertTrue(min >= -80f - 1e-4f, "top_db=80 clip");
    for (int m = 0; m < 128; m++) {
      for (int t = 0; t < 128; t++) {
        assertEquals(full[m][t], padded[m][t], 0.0);
      }
      for (int t = 128; t < 140; t++) {
        assertEquals(min, padded[m][t], 0.0);
      }
    }
  }

  @Test
  void shortWindowPadsToTargetFrames() {
    float[][] db = LogMelSpectrogram.of(FrontEndConfig.defaults()).compute(noise(32000, 3));
    assertEquals(128, db.length);
    assertEquals(128, db[0].length);
  }

  @Test
  void constantReferenceAndNoTopDb() {
    FrontEndConfig c = FrontEndConfig.defaults().withDbRef(1.0).withTopDb(null);
    float[] x = noise(160000, 4);
    x[5000] = 1e-30f;
    LogMelSpectrogram lm = LogMelSpectrogram.of(c);
    double[][] mel = lm.melPower(x);
    float[][] db = lm.compute(x);
    for (int m = 0; m < 128; m += 17) {
      for (int t = 0; t < 128; t += 13) {
        double expected = 10 * Math.log10(Math.max(1e-10, mel[m][t]));
        assertEquals(expected, db[m][t], 1e-5);
      }
    }
    // Silence with a constant reference and no clip: every cell is 10·log10(amin) = -100 dB.
    float[][] quiet = lm.compute(new float[160000]);
    assertEquals(-100f, quiet[3][7], 1e-5f);
  }

  @Test
  void magnitudeSpectrogramWithPowerOne() {
    float[] x = noise(8000, 5);
    double[][] p2 = LogMelSpectrogram.of(FrontEndConfig.defaults()).stftPower(x);
    double[][] p1 = LogMelSpectrogram.of(FrontEndConfig.defaults().withPower(1.0)).stftPower(x);
    double[][] p15 = LogMelSpectrogram.of(FrontEndConfig.defaults().withPower(1.5)).stftPower(x);
    for (int k = 0; k < p2.length; k += 50) {
      assertEquals(Math.sqrt(p2[k][3]), p1[k][3], 1e-12 * (1 + p1[k][3]));
      assertEquals(Math.pow(p2[k][3], 0.75), p15[k][3], 1e-12 * (1 + p15[k][3]));
    }
  }

  @Test
  void silenceAndImpulseNeverGiveNanOrInfinity() {
    LogMelSpectrogram lm = LogMelSpectrogram.of(FrontEndConfig.defaults());
    float[] impulse = new float[160000];
    impulse[80000] = 1f;
    for (float[] x : new float[][] {new float[160000], impulse, new float[0], new float[1]}) {
      float[][] db = lm.compute(x);
      for (float[] row : db) {
        for (float v : row) {
          assertTrue(Float.isFinite(v) && v <= 1e-5f && v >= -80.0001f, "dB value " + v);
        }
      }
    }
    for (float[] row : lm.compute(new float[160000])) {
      for (float v : row) {
        assertEquals(0f, v, 1e-5f, "silence is 0 dB everywhere with ref=max");
      }
    }
  }

  @Test
  void instanceIsReusableAcrossWindowLengths() {
    LogMelSpectrogram lm = LogMelSpectrogram.of(FrontEndConfig.defaults().withTargetFrames(0));
    float[] a = noise(160000, 6);
    float[][] first = lm.compute(a);
    float[][] short1s = lm.compute(noise(32000, 7));
    assertEquals(128, short1s.length);
    assertEquals(26, short1s[0].length);
    float[][] again = lm.compute(a);
    for (int m = 0; m < 128; m++) {
      for (int t = 0; t < 128; t++) {
        assertEquals(first[m][t], again[m][t], 0.0);
      }
    }
  }

  @Test
  void nonFiniteSamplesAreRejectedWithTheirIndex() {
    LogMelSpectrogram lm = LogMelSpectrogram.of(FrontEndConfig.defaults());
    float[] x = noise(160000, 8);
    x[12345] = Float.NaN;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lm.compute(x));
    assertTrue(e.getMessage().contains("12345"), e.getMessage());
    x[12345] = Float.POSITIVE_INFINITY;
    assertThrows(IllegalArgumentException.class, () -> lm.compute(x));
    assertThrows(NullPointerException.class, () -> lm.compute(null));
  }

  @Test
  void invalidConfigurationsAreRefusedNamingTheParameter() {
    FrontEndConfig d = FrontEndConfig.defaults();
    String[][] cases = {
      {"n_fft"}, {"hop_length"}, {"n_mels"}, {"fmin"}, {"fmax"}, {"power"}, {"db_ref"}, {"amin"}, {"top_db"},
      {"target_frames"},
    };
    Runnable[] bad = {
      () -> d.withNFft(8), () -> d.withHopLength(0), () -> d.withNMels(0), () -> d.withFmin(-5),
      () -> d.withFmax(20000.0), () -> d.withPower(0), () -> d.withDbRef(-1.0), () -> d.withAmin(0),
      () -> d.withTopDb(-3.0), () -> d.withTargetFrames(-1),
    };
    for (int i = 0; i < bad.length; i++) {
      Runnable r = bad[i];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
      assertTrue(e.getMessage().contains(cases[i][0]), e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> LogMelSpectrogram.of(null));
  }
}
