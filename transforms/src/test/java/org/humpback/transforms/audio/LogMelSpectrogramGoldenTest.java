package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with librosa 0.10.2 on the golden data (shared/golden/librosa), at the README's acceptance
 * criteria: |ΔdB| ≤ 5e-5, relative power error ≤ 2e-6 on cells ≥ 1e-6·max.
 */
class LogMelSpectrogramGoldenTest {

  static final double DB_TOL = 5e-5;
  static final double POWER_REL_TOL = 2e-6;

  static void assertDbMatches(float[][] actual, float[] golden, String what) {
    int frames = actual[0].length;
    assertEquals(golden.length, actual.length * frames, what + ": size");
    double maxErr = 0;
    for (int m = 0; m < actual.length; m++) {
      for (int t = 0; t < frames; t++) {
        float v = actual[m][t];
        assertTrue(Float.isFinite(v), what + ": non-finite dB at [" + m + "][" + t + "]");
        maxErr = Math.max(maxErr, Math.abs(v - golden[m * frames + t]));
      }
    }
    System.out.printf("%s: max |dB error| = %.3g%n", what, maxErr);
    assertTrue(maxErr <= DB_TOL, what + ": max |dB error| = " + maxErr);
  }

  static void assertPowerMatches(double[][] actual, double[] golden, double relTol, String what) {
    int frames = actual[0].length;
    assertEquals(golden.length, actual.length * frames, what + ": size");
    double max = 0;
    for (double g : golden) {
      max = Math.max(max, g);
    }
    double threshold = 1e-6 * max;
    double maxRel = 0;
    for (int r = 0; r < actual.length; r++) {
      for (int t = 0; t < frames; t++) {
        double g = golden[r * frames + t];
        double a = actual[r][t];
        assertTrue(Double.isFinite(a), what + ": non-finite power");
        if (g >= threshold && g > 0) {
          maxRel = Math.max(maxRel, Math.abs(a - g) / g);
        } else {
          // Small cells: absolute agreement relative to the array's maximum.
          assertTrue(Math.abs(a - g) <= relTol * Math.max(max, Double.MIN_NORMAL) + 1e-30,
              what + ": small cell [" + r + "][" + t + "] " + a + " vs " + g);
        }
      }
    }
    System.out.printf("%s: max relative error = %.3g%n", what, maxRel);
    assertTrue(maxRel <= relTol, what + ": max relative power error = " + maxRel);
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @ParameterizedTest
  @ValueSource(strings = {"chirp", "tones_noise", "silence", "impulse", "humpback"})
  void cfg1MatchesLibrosa(String name) {
    float[] x = Golden.input(name);
    LogMelSpectrogram lm = LogMelSpectrogram.of(Golden.cfg1());
    float[][] db = lm.compute(x);
    assertEquals(128, db.length);
    assertEquals(128, db[0].length);
    assertDbMatches(db, Golden.f32("cfg1/" + name + ".mel_db.f32"), "cfg1 " + name + " dB");
    assertPowerMatches(lm.melPower(x), toDouble(Golden.f32("cfg1/" + name + ".mel_power.f32")), POWER_REL_TOL,
        "cfg1 " + name + " mel power");
    assertPowerMatches(lm.stftPower(x), toDouble(Golden.f32("cfg1/" + name + ".stft_power.f32")), POWER_REL_TOL,
        "cfg1 " + name + " stft power");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chirp", "tones_noise", "silence", "impulse", "humpback"})
  void cfg1MatchesLibrosaFloat64Run(String name) {
    float[] x = Golden.input(name);
    LogMelSpectrogram lm = LogMelSpectrogram.of(Golden.cfg1());
    assertPowerMatches(lm.melPower(x), Golden.f64("cfg1_f64/" + name + ".mel_power.f64"), 1e-10,
        "cfg1_f64 " + name + " mel power");
    double[] golden = Golden.f64("cfg1_f64/" + name + ".mel_db.f64");
    float[][] db = lm.compute(x);
    double maxErr = 0;
    for (int m = 0; m < 128; m++) {
      for (int t = 0; t < 128; t++) {
        maxErr = Math.max(maxErr, Math.abs(db[m][t] - golden[m * 128 + t]));
      }
    }
    System.out.printf("cfg1_f64 %s dB: max |error| = %.3g%n", name, maxErr);
    // compute() rounds to float32 at the very end: half an ulp of ~80 is 3.8e-6.
    assertTrue(maxErr <= 4e-6, "cfg1_f64 " + name + " dB max error " + maxErr);
  }

  @ParameterizedTest
  @ValueSource(strings = {"chirp", "tones_noise", "humpback"})
  void cfg2MatchesLibrosa(String name) {
    float[] x = Golden.input(name);
    LogMelSpectrogram lm = LogMelSpectrogram.of(Golden.cfg2());
    float[][] db = lm.compute(x);
    assertEquals(128, db.length);
    assertEquals(501, db[0].length);
    assertDbMatches(db, Golden.f32("cfg2/" + name + ".mel_db.f32"), "cfg2 " + name + " dB");
    assertPowerMatches(lm.melPower(x), toDouble(Golden.f32("cfg2/" + name + ".mel_power.f32")), POWER_REL_TOL,
        "cfg2 " + name + " mel power");
  }
}
