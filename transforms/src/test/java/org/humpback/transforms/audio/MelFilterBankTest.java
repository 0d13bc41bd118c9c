package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MelFilterBankTest {

  private static void assertBankMatches(MelFilterBank bank, String goldenFile) {
    float[] golden = Golden.f32("filters/" + goldenFile);
    double[][] w = bank.weights();
    int bins = bank.nBins();
    assertEquals(golden.length, bank.nMels() * bins, "golden size");
    double maxErr = 0;
    for (int m = 0; m < bank.nMels(); m++) {
      for (int k = 0; k < bins; k++) {
        maxErr = Math.max(maxErr, Math.abs(w[m][k] - golden[m * bins + k]));
      }
    }
    assertTrue(maxErr <= 1e-8, goldenFile + ": max |dW| = " + maxErr);
  }

  @Test
  void slaneyBankMatchesLibrosaCfg1() {
    MelFilterBank bank = MelFilterBank.of(32000, 2048, 128, 0.0, null);
    assertBankMatches(bank, "mel_sr32000_nfft2048_nmels128_slaney.f32");
    // README: band 0 covers bins 1-3, band 127 bins 966-1023; DC and Nyquist get no weight.
    assertEquals(1, bank.startBin(0));
    assertEquals(4, bank.endBin(0));
    assertEquals(966, bank.startBin(127));
    assertEquals(1024, bank.endBin(127));
  }

  @Test
  void htkBankWithSlaneyNormMatchesLibrosa() {
    assertBankMatches(MelFilterBank.of(32000, 2048, 128, 0.0, null, true, MelFilterBank.Norm.SLANEY),
        "mel_sr32000_nfft2048_nmels128_htk.f32");
  }

  @Test
  void cfg2BankMatchesLibrosa() {
    assertBankMatches(MelFilterBank.of(32000, 1024, 128, 60.0, 16000.0),
        "mel_sr32000_nfft1024_nmels128_fmin60_fmax16000_slaney.f32");
    assertSame(MelFilterBank.of(32000, 1024, 128, 60.0, 16000.0), MelFilterBank.of(Golden.cfg2()), "cached");
  }

  private static void assertPoints(double[] actual, String goldenFile) {
    double[] golden = Golden.f64("filters/" + goldenFile);
    assertEquals(golden.length, actual.length);
    for (int i = 0; i < golden.length; i++) {
      assertEquals(golden[i], actual[i], Math.abs(golden[i]) * 1e-13 + 1e-12, goldenFile + " point " + i);
    }
  }

  @Test
  void melPointsMatchLibrosa() {
    assertPoints(MelFilterBank.melFrequencies(130, 0, 16000, false), "mel_points_nmels128_fmin0_fmax16000_slaney.f64");
    assertPoints(MelFilterBank.melFrequencies(130, 0, 16000, true), "mel_points_nmels128_fmin0_fmax16000_htk.f64");
    assertPoints(MelFilterBank.melFrequencies(130, 60, 16000, false), "mel_points_nmels128_fmin60_fmax16000_slaney.f64");
    assertPoints(MelFilterBank.of(32000, 2048, 128, 0.0, null).bandEdgesHz(),
        "mel_points_nmels128_fmin0_fmax16000_slaney.f64");
  }

  @Test
  void melScaleKnownValuesAndInverse() {
    assertEquals(15.0, MelFilterBank.hzToMel(1000, false), 1e-12);
    assertEquals(3.0, MelFilterBank.hzToMel(200, false), 1e-12);
    assertEquals(15 + 27, MelFilterBank.hzToMel(6400, false), 1e-12);
    assertEquals(2595 * Math.log10(1 + 1000 / 700.0), MelFilterBank.hzToMel(1000, true), 1e-12);
    for (double hz : new double[] {0, 10, 440, 999.9, 1000, 3000, 16000}) {
      assertEquals(hz, MelFilterBank.melToHz(MelFilterBank.hzToMel(hz, false), false), 1e-9 * (1 + hz));
      assertEquals(hz, MelFilterBank.melToHz(MelFilterBank.hzToMel(hz, true), true), 1e-9 * (1 + hz));
    }
  }

  @Test
  void hannWindowsMatchScipyPeriodicHann() {
    for (int n : new int[] {2048, 1024}) {
      double[] golden = Golden.f64("filters/hann_periodic_" + n + ".f64");
      double[] w = LogMelSpectrogram.hannPeriodic(n);
      for (int i = 0; i < n; i++) {
        assertEquals(golden[i], w[i], 1e-15, "hann " + n + " [" + i + "]");
      }
      assertEquals(0.0, w[0], 0.0);
      assertEquals(1.0, w[n / 2], 0.0);
    }
  }

  @Test
  void sparseApplyEqualsDenseProduct() {
    MelFilterBank bank = MelFilterBank.of(16000, 512, 40, 20.0, 7000.0);
    double[] power = new double[bank.nBins()];
    java.util.Random r = new java.util.Random(7);
    for (int k = 0; k < power.length; k++) {
      power[k] = r.nextDouble();
    }
    double[] out = new double[40];
    bank.apply(power, 0, out, 0);
    double[][] w = bank.weights();
    for (int m = 0; m < 40; m++) {
      double dense = 0;
      for (int k = 0; k < power.length; k++) {
        dense += w[m][k] * power[k];
      }
      assertEquals(dense, out[m], 1e-12 * Math.abs(dense));
    }
  }

  @Test
  void noNormGivesPeakOneTriangles() {
    MelFilterBank bank = MelFilterBank.of(32000, 2048, 64, 0.0, null, false, MelFilterBank.Norm.NONE);
    for (int m = 0; m < 64; m++) {
      double peak = 0;
      for (double v : bank.bandWeights(m)) {
        peak = Math.max(peak, v);
      }
      assertTrue(peak <= 1.0 && peak > 0.3, "band " + m + " peak " + peak);
    }
  }

  @Test
  void emptyBandsAreCountedNotFatal() {
    assertEquals(0, MelFilterBank.of(32000, 2048, 128, 0.0, null).emptyBands());
    MelFilterBank coarse = MelFilterBank.of(32000, 64, 128, 0.0, null);
    assertTrue(coarse.emptyBands() > 0);
    assertEquals(coarse.startBin(0), coarse.endBin(0), "an empty band has an empty bin range");
    float[][] db = LogMelSpectrogram.of(FrontEndConfig.defaults().withNFft(64).withHopLength(32).withTargetFrames(0))
        .compute(new float[640]);
    for (float[] row : db) {
      for (float v : row) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void rejectsBadParametersNamingThem() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(0, 2048, 128, 0, null))
        .getMessage().contains("sample_rate"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(32000, 1, 128, 0, null))
        .getMessage().contains("n_fft"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(32000, 2048, 0, 0, null))
        .getMessage().contains("n_mels"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(32000, 2048, 128, -1, null))
        .getMessage().contains("fmin"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(32000, 2048, 128, 500, 400.0))
        .getMessage().contains("fmax"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MelFilterBank.of(32000, 2048, 128, 0, Double.NaN))
        .getMessage().contains("fmax"));
  }
}
