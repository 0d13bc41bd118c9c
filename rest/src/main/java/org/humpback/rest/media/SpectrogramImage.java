package org.humpback.rest.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LastWindowPolicy;
import org.humpback.transforms.audio.LogMelSpectrogram;
import org.humpback.transforms.audio.MelFilterBank;

/**
 * A log-mel spectrogram of a slice of audio as a PNG, with a frequency axis (Hz, mel-spaced) and a time axis
 * (seconds from the file's start). Computed by the project's own {@link LogMelSpectrogram} (librosa's conventions:
 * Slaney mel, {@code ref=max}, {@code top_db=80}), coloured with a viridis-like map.
 *
 * <p>Pixels are written directly and the axis labels use a built-in 3×5 pixel font, so no font, font
 * configuration or display is needed: the image renders the same on a bare server (AWT is used only for the PNG
 * encoder, headless).
 */
final class SpectrogramImage {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  static final int TOP = 4;
  static final int RIGHT = 8;
  static final int N_MELS = 128;
  private static final int AXIS = 0xffc8c8c8;
  private static final int BACKGROUND = 0xff111418;
  private static final int[] PALETTE = palette();

  private SpectrogramImage() {}

  /** The smallest image that leaves room for the axes (small labels) and a plot. */
  static final int MIN_WIDTH = left(1) + RIGHT + 32;
  static final int MIN_HEIGHT = TOP + bottom(1) + 32;

  /** Label pixels per font pixel: 2 on images at least 240 px high, so labels stay legible. */
  static int fontScale(int height) {
    return height >= 240 ? 2 : 1;
  }

  /** Room for frequency labels ("20K") and ticks. */
  static int left(int k) {
    return 16 + 12 * k;
  }

  /** Room for time labels and ticks. */
  static int bottom(int k) {
    return 9 + 6 * k;
  }

  /**
   * Renders {@code samples} (mono, {@code sampleRate}) that start {@code startS} seconds into the file as a
   * {@code width}×{@code height} PNG.
   */
  static byte[] png(float[] samples, int sampleRate, double startS, int width, int height) {
    int k = fontScale(height);
    int left = left(k);
    int plotW = width - left - RIGHT;
    int plotH = height - TOP - bottom(k);
    // About 64 ms FFT windows at any rate (2048 at 32 kHz), and about one frame per plot column.
    int nFft = Integer.highestOneBit(Math.max(64, (int) (sampleRate * 0.064)));
    int hop = Math.max(1, samples.length / plotW);
    double seconds = Math.max(1.0 / sampleRate, samples.length / (double) sampleRate);
    FrontEndConfig config = new FrontEndConfig(sampleRate, seconds, seconds, LastWindowPolicy.PAD,
        FeatureType.LOG_MEL, nFft, hop, N_MELS, 0.0, null, 2.0, null, 1e-10, 80.0, 0);
    float[][] db = LogMelSpectrogram.of(config).compute(samples.length == 0 ? new float[1] : samples);
    int frames = db[0].length;
    float max = Float.NEGATIVE_INFINITY;
    for (float[] row : db) {
      for (float v : row) {
        max = Math.max(max, v);
      }
    }
    float floor = max - 80f;

    int[] px = new int[width * height];
    java.util.Arrays.fill(px, BACKGROUND);
    for (int y = 0; y < plotH; y++) {
      int mel = (plotH - 1 - y) * N_MELS / plotH;
      float[] row = db[mel];
      int base = (TOP + y) * width + left;
      for (int x = 0; x < plotW; x++) {
        float v = row[Math.min(frames - 1, (int) ((long) x * frames / plotW))];
        int c = (int) ((v - floor) / 80f * 255f);
        px[base + x] = PALETTE[Math.max(0, Math.min(255, c))];
      }
    }
    // Frequency axis: ticks at round frequencies, placed on the mel scale the rows use.
    double nyquist = sampleRate / 2.0;
    double melTop = MelFilterBank.hzToMel(nyquist, false);
    int lastLabelY = Integer.MAX_VALUE;
    for (double hz : frequencyTicks(sampleRate)) {
      int y = TOP + plotH - 1 - (int) Math.round(MelFilterBank.hzToMel(hz, false) / melTop * (plotH - 1));
      hline(px, width, left - 4, left - 1, y);
      // Low ticks crowd together on the mel scale: label one only where the one below leaves room.
      if (lastLabelY - y < 7 * k) {
        continue;
      }
      lastLabelY = y;
      String label = hz >= 1000 ? trim(hz / 1000) + "K" : trim(hz);
      text(px, width, height, label, left - 6 - textWidth(label, k), y - 2 * k, k);
    }
    text(px, width, height, "HZ", 1, TOP, k);
    // Time axis: a round step giving at most about one label per 60 px.
    double step = niceStep(seconds, Math.max(1, plotW / 60));
    double first = Math.ceil(startS / step) * step;
    for (double t = first; t <= startS + seconds + 1e-9; t += step) {
      int x = left + (int) Math.round((t - startS) / seconds * (plotW - 1));
      vline(px, width, x, TOP + plotH, TOP + plotH + 3);
      String label = trim(Math.round(t * 1000) / 1000.0) + "s";
      text(px, width, height, label, Math.min(width - textWidth(label, k), Math.max(0, x - textWidth(label, k) / 2)),
          TOP + plotH + 5, k);
    }
    hline(px, width, left, left + plotW - 1, TOP + plotH);
    vline(px, width, left - 1, TOP, TOP + plotH);

    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, width, height, px, 0, width);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a spectrogram PNG", e);
    }
    return out.toByteArray();
  }

  static double niceStep(double span, int maxTicks) {
    for (double s : new double[] {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600}) {
      if (span / s <= maxTicks) {
        return s;
      }
    }
    return 7200;
  }

  private static String trim(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static void hline(int[] px, int width, int x0, int x1, int y) {
    for (int x = Math.max(0, x0); x <= x1 && x < width; x++) {
      if (y >= 0 && y * width + x < px.length) {
        px[y * width + x] = AXIS;
      }
    }
  }

  private static void vline(int[] px, int width, int x, int y0, int y1) {
    for (int y = Math.max(0, y0); y <= y1 && y * width + x < px.length; y++) {
      if (x >= 0 && x < width) {
        px[y * width + x] = AXIS;
      }
    }
  }

  // A 3x5 pixel font for the axis labels: one string of 15 bits per glyph, row by row ('s' is a lowercase seconds).
  private static final String GLYPHS = "0123456789.KHZs-";
  private static final String[] BITMAPS = {
      "111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
      "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111",
      "000000000000010", "101101110101101", "101101111101101", "111001010100111", "000011100001110",
      "000000111000000"};

  static int textWidth(String s, int k) {
    return (s.length() * 4 - 1) * k;
  }

  /** Draws {@code s} with its top-left corner at (x0, y0), each font pixel a k×k square. */
  private static void text(int[] px, int width, int height, String s, int x0, int y0, int k) {
    for (int c = 0; c < s.length(); c++) {
      int g = GLYPHS.indexOf(s.charAt(c));
      if (g < 0) {
        continue;
      }
      String bits = BITMAPS[g];
      for (int r = 0; r < 5 * k; r++) {
        for (int col = 0; col < 3 * k; col++) {
          int x = x0 + (c * 4) * k + col;
          int y = y0 + r;
          if (bits.charAt(r / k * 3 + col / k) == '1' && x >= 0 && x < width && y >= 0 && y < height) {
            px[y * width + x] = AXIS;
          }
        }
      }
    }
  }

  /** 256 colours interpolated between viridis' anchor colours (dark blue, through green, to yellow). */
  private static int[] palette() {
    int[][] anchors = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    int[] lut = new int[256];
    for (int i = 0; i < 256; i++) {
      double p = i / 255.0 * (anchors.length - 1);
      int a = Math.min(anchors.length - 2, (int) p);
      double f = p - a;
      int r = (int) Math.round(anchors[a][0] + f * (anchors[a + 1][0] - anchors[a][0]));
      int g = (int) Math.round(anchors[a][1] + f * (anchors[a + 1][1] - anchors[a][1]));
      int b = (int) Math.round(anchors[a][2] + f * (anchors[a + 1][2] - anchors[a][2]));
      lut[i] = 0xff000000 | r << 16 | g << 8 | b;
    }
    return lut;
  }

  /** Round frequencies labelled on the axis: those clearly below Nyquist. */
  static List<Double> frequencyTicks(int sampleRate) {
    List<Double> out = new ArrayList<>();
    for (double hz : new double[] {100, 200, 500, 1000, 2000, 5000, 10000, 20000}) {
      if (hz < sampleRate / 2.0 * 0.97) {
        out.add(hz);
      }
    }
    return out;
  }
}
