package org.humpback.transforms.audio;

import java.io.Serializable;

/**
 * Where the windows of a file of {@code totalSamples} samples fall, under a {@link LastWindowPolicy}.
 * Pure arithmetic, shared by {@link Windower} (which learns the length only at the end of a stream)
 * and by shard planning (which uses the estimated length from the headers).
 *
 * <ul>
 *   <li>Full windows start at {@code k * hop} while {@code k * hop + window <= totalSamples}.
 *   <li>If samples remain after the last full window: {@code PAD} adds a window at the next hop
 *       (zero-padded; it exists only if it starts before the end); {@code OVERLAP_BACK} adds a window
 *       ending exactly at the end; {@code DROP} adds nothing.
 *   <li>A file shorter than one window always gives exactly one zero-padded window at 0.
 * </ul>
 *
 * @param totalSamples file length in samples at the target rate
 * @param window window length in samples
 * @param hop distance between window starts in samples
 * @param policy what to do with the trailing partial window
 */
public record WindowPlan(long totalSamples, int window, int hop, LastWindowPolicy policy) implements Serializable {

  public WindowPlan {
    if (totalSamples < 0) {
      throw new IllegalArgumentException("Invalid totalSamples: " + totalSamples + " (expected >= 0)");
    }
    if (window < 1) {
      throw new IllegalArgumentException("Invalid window: " + window + " (expected >= 1)");
    }
    if (hop < 1) {
      throw new IllegalArgumentException("Invalid hop: " + hop + " (expected >= 1)");
    }
    if (policy == null) {
      policy = LastWindowPolicy.PAD;
    }
  }

  /** The plan for a file of {@code totalSamples} samples under {@code cfg}. */
  public static WindowPlan of(long totalSamples, FrontEndConfig cfg) {
    return new WindowPlan(totalSamples, cfg.windowSamples(), cfg.hopSamples(), cfg.lastWindow());
  }

  /** Windows that lie entirely inside the file. */
  public long fullWindows() {
    return totalSamples < window ? 0 : (totalSamples - window) / hop + 1;
  }

  /** True when the file is shorter than one window (one padded window, with a warning). */
  public boolean shorterThanWindow() {
    return totalSamples < window;
  }

  /** True when a trailing window follows the full ones (or stands alone for a short file). */
  public boolean hasTail() {
    long full = fullWindows();
    if (full == 0) {
      return true;
    }
    long lastFullEnd = (full - 1) * hop + window;
    if (lastFullEnd >= totalSamples) {
      return false;
    }
    return switch (policy) {
      case PAD -> full * hop < totalSamples;
      case OVERLAP_BACK -> true;
      case DROP -> false;
    };
  }

  /** Number of windows emitted for the file. */
  public long count() {
    return fullWindows() + (hasTail() ? 1 : 0);
  }

  /** First sample of window {@code k}; {@code k * hop} except for an overlap-back last window. */
  public long startSample(long k) {
    checkIndex(k);
    long full = fullWindows();
    if (k == full && full > 0 && policy == LastWindowPolicy.OVERLAP_BACK) {
      return totalSamples - window;
    }
    return k * hop;
  }

  /** Samples of real audio in window {@code k} (the rest is zero padding). */
  public int validSamples(long k) {
    long start = startSample(k);
    return (int) Math.min(window, totalSamples - start);
  }

  private void checkIndex(long k) {
    if (k < 0 || k >= count()) {
      throw new IndexOutOfBoundsException("Invalid window index: " + k + " (the file has " + count() + " windows)");
    }
  }
}
