package org.humpback.examples;

import java.util.Random;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LogMelSpectrogram;

/**
 * Prints log-mel front-end throughput on one thread, in times real time, for the project's default
 * configuration (cfg1: 5-s windows at 32 kHz, n_fft 2048, hop 1252, 128 mels, ref=max, top_db 80).
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.LogMelBenchmark [seconds-to-measure]}
 */
public final class LogMelBenchmark {

  private LogMelBenchmark() {}

  public static void main(String[] args) {
    double measureSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 5.0;
    FrontEndConfig cfg = FrontEndConfig.defaults();
    int n = cfg.windowSamples();
    // Distinct windows so that nothing is trivially cached: noise plus a tone, like sea noise plus a call.
    Random r = new Random(42);
    float[][] windows = new float[8][n];
    for (float[] w : windows) {
      double f = 100 + 3000 * r.nextDouble();
      for (int i = 0; i < n; i++) {
        w[i] = (float) (0.05 * r.nextGaussian() + 0.3 * Math.sin(2 * Math.PI * f * i / cfg.sampleRate()));
      }
    }
    LogMelSpectrogram lm = LogMelSpectrogram.of(cfg);
    double sink = 0;

    // Warm-up: let the JIT compile the FFT, framing and filterbank loops.
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    int warm = 0;
    while (System.nanoTime() < warmEnd) {
      sink += lm.computeFlat(windows[warm++ % windows.length])[0];
    }

    int count = 0;
    long start = System.nanoTime();
    long end = start + (long) (measureSeconds * 1e9);
    long now;
    do {
      sink += lm.computeFlat(windows[count++ % windows.length])[0];
      now = System.nanoTime();
    } while (now < end);
    double elapsed = (now - start) / 1e9;
    double audioSeconds = count * cfg.windowSeconds();
    System.out.printf("LogMelBenchmark: config %s%n", cfg.toCanonicalJson());
    System.out.printf("  one thread, %d windows of %.1f s in %.3f s (after %d warm-up windows)%n",
        count, cfg.windowSeconds(), elapsed, warm);
    System.out.printf("  %.3f ms per window, %.0f windows/s%n", 1e3 * elapsed / count, count / elapsed);
    System.out.printf("  log-mel throughput: %.0fx real time per core%n", audioSeconds / elapsed);
    if (Double.isNaN(sink)) {
      System.out.println("(unexpected NaN)");
    }
  }
}
