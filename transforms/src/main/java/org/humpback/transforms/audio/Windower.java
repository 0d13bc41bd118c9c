package org.humpback.transforms.audio;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Cuts a stream of mono samples into {@link AudioWindow}s of {@link FrontEndConfig#windowSamples()}
 * samples every {@link FrontEndConfig#hopSamples()}, applying the {@link LastWindowPolicy} at the end
 * (see {@link WindowPlan} for the exact rules).
 *
 * <p>Streaming: it holds at most one window plus one hop of samples, so a multi-hour file never
 * sits in memory. A window's {@code index} counts from the start of the whole file and
 * {@code startS = index * hop / rate} (except an overlap-back last window, which starts where it
 * must to end at the file's end); {@code endS} is where the window's real audio ends.
 *
 * <p>Time shards: {@link #overShard} emits only windows {@code [firstWindow, lastWindowExclusive)}
 * from a decoder opened at {@link #shardStartSeconds}, which begins one hop before the first window
 * so an overlap-back last window can still be cut inside the shard.
 */
public final class Windower {

  /** Where samples come from: a decoder or an array. */
  @FunctionalInterface
  public interface SampleSource {
    /** Like {@link AudioDecoder#read}: samples read, or -1 at the end. */
    int read(float[] buf, int off, int len) throws AudioDecodeException;
  }

  private final String sourceId;
  private final SampleSource source;
  private final int rate;
  private final int window;
  private final int hop;
  private final LastWindowPolicy policy;
  private final long lastExclusive;
  private final List<String> warnings = new ArrayList<>();

  private float[] buf;
  private long bufStart; // absolute sample index of buf[0]
  private int bufLen;
  private boolean eof;
  private long nextIndex;
  private boolean done;
  private long emitted;

  private Windower(String sourceId, SampleSource source, FrontEndConfig cfg, long firstWindow, long lastExclusive) {
    if (sourceId == null) {
      throw new IllegalArgumentException("Invalid sourceId: null");
    }
    if (firstWindow < 0) {
      throw new IllegalArgumentException("Invalid firstWindow: " + firstWindow + " (expected >= 0)");
    }
    if (lastExclusive != -1 && lastExclusive <= firstWindow) {
      throw new IllegalArgumentException("Invalid lastWindowExclusive: " + lastExclusive
          + " (expected -1 for open-ended, or > firstWindow " + firstWindow + ")");
    }
    this.sourceId = sourceId;
    this.source = source;
    this.rate = cfg.sampleRate();
    this.window = cfg.windowSamples();
    this.hop = cfg.hopSamples();
    this.policy = cfg.lastWindow();
    this.lastExclusive = lastExclusive;
    this.nextIndex = firstWindow;
    this.bufStart = leadStartSample(cfg, firstWindow);
    this.buf = new float[Math.max(1024, window + hop)];
  }

  /** Windows of the whole stream read from {@code decoder} (opened at the file's start, at cfg's rate). */
  public static Windower over(String sourceId, AudioDecoder decoder, FrontEndConfig cfg) {
    checkRate(decoder, cfg);
    return new Windower(sourceId, decoder::read, cfg, 0, -1);
  }

  /**
   * Windows {@code [firstWindow, lastWindowExclusive)} (-1: to the end) from a decoder opened with
   * {@code AudioDecoder.open(file, cfg.sampleRate(), shardStartSeconds(cfg, firstWindow))}.
   */
  public static Windower overShard(
      String sourceId, AudioDecoder decoder, FrontEndConfig cfg, long firstWindow, long lastWindowExclusive) {
    checkRate(decoder, cfg);
    return new Windower(sourceId, decoder::read, cfg, firstWindow, lastWindowExclusive);
  }

  /** Windows of any sample source whose first sample is the file's first sample. */
  public static Windower over(String sourceId, SampleSource source, FrontEndConfig cfg) {
    return new Windower(sourceId, source, cfg, 0, -1);
  }

  /** All windows of an in-memory signal at {@code cfg.sampleRate()}. */
  public static List<AudioWindow> windows(String sourceId, float[] samples, FrontEndConfig cfg) {
    int[] pos = {0};
    SampleSource src = (b, off, len) -> {
      if (pos[0] >= samples.length) {
        return -1;
      }
      int n = Math.min(len, samples.length - pos[0]);
      System.arraycopy(samples, pos[0], b, off, n);
      pos[0] += n;
      return n;
    };
    Windower w = over(sourceId, src, cfg);
    List<AudioWindow> out = new ArrayList<>();
    try {
      for (AudioWindow x = w.next(); x != null; x = w.next()) {
        out.add(x);
      }
    } catch (AudioDecodeException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Sample at which a shard starting at window {@code firstWindow} must begin decoding. */
  public static long leadStartSample(FrontEndConfig cfg, long firstWindow) {
    return Math.max(0, (firstWindow - 1) * (long) cfg.hopSamples());
  }

  /** {@link #leadStartSample} in seconds, for {@link AudioDecoder#open(java.nio.file.Path, int, double)}. */
  public static double shardStartSeconds(FrontEndConfig cfg, long firstWindow) {
    return leadStartSample(cfg, firstWindow) / (double) cfg.sampleRate();
  }

  private static void checkRate(AudioDecoder decoder, FrontEndConfig cfg) {
    if (decoder.outputSampleRate() != cfg.sampleRate()) {
      throw new IllegalArgumentException("Invalid decoder: it outputs " + decoder.outputSampleRate()
          + " Hz but the front-end config needs " + cfg.sampleRate() + " Hz");
    }
  }

  /**
   * The next window, or {@code null} when there are no more.
   *
   * @throws AudioDecodeException when decoding fails, or the whole file holds no samples at all
   */
  public AudioWindow next() throws AudioDecodeException {
    if (done) {
      return null;
    }
    long k = nextIndex;
    if (lastExclusive != -1 && k >= lastExclusive) {
      done = true;
      return null;
    }
    long start = k * hop;
    // keep the previous window's start: an overlap-back last window may reach back to it
    long keepFrom = Math.max(bufStart, Math.min(start, (k - 1) * hop));
    discardBefore(keepFrom);
    fillTo(start + window);
    if (bufStart + bufLen >= start + window) {
      nextIndex++;
      return emit(k, start, window);
    }
    // end of stream inside window k: the plan decides the tail
    done = true;
    long total = bufStart + bufLen;
    if (total == 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, sourceId, "the file contains no audio samples", null);
    }
    WindowPlan plan = new WindowPlan(total, window, hop, policy);
    if (k != plan.fullWindows() || !plan.hasTail()) {
      return null;
    }
    if (plan.shorterThanWindow()) {
      warnings.add(String.format(java.util.Locale.ROOT,
          "%s is shorter than one window (%.3f s < %.3f s); emitted one zero-padded window",
          sourceId, total / (double) rate, window / (double) rate));
    }
    long tailStart = plan.startSample(k);
    if (tailStart < bufStart) {
      throw new IllegalStateException("window " + k + " of " + sourceId + " starts at sample " + tailStart
          + " before the buffered audio (" + bufStart + "); the decoder was not opened at shardStartSeconds");
    }
    return emit(k, tailStart, plan.validSamples(k));
  }

  /** The windows as an {@link Iterator}; decoding errors surface as {@link UncheckedIOException}. */
  public Iterator<AudioWindow> iterator() {
    return new Iterator<>() {
      private AudioWindow ahead;

      @Override
      public boolean hasNext() {
        if (ahead == null && !done) {
          try {
            ahead = Windower.this.next();
          } catch (AudioDecodeException e) {
            throw new UncheckedIOException(e);
          }
        }
        return ahead != null;
      }

      @Override
      public AudioWindow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        AudioWindow w = ahead;
        ahead = null;
        return w;
      }
    };
  }

  /** Windows emitted so far. */
  public long emitted() {
    return emitted;
  }

  /** Warnings so far (a file shorter than one window). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  private AudioWindow emit(long k, long start, int valid) {
    float[] w = new float[window];
    int from = (int) (start - bufStart);
    System.arraycopy(buf, from, w, 0, valid);
    emitted++;
    return new AudioWindow(sourceId, k, start / (double) rate, (start + valid) / (double) rate, w);
  }

  private void discardBefore(long pos) {
    int drop = (int) Math.min(bufLen, pos - bufStart);
    if (drop <= 0) {
      return;
    }
    System.arraycopy(buf, drop, buf, 0, bufLen - drop);
    bufLen -= drop;
    bufStart += drop;
    if (bufLen == 0 && pos > bufStart) {
      // a hop longer than the window: skip the gap by reading and dropping
      skipGap(pos);
    }
  }

  private void skipGap(long pos) {
    // bufStart < pos with an empty buffer: samples up to pos are read then dropped in fillTo
    gapUntil = pos;
  }

  private long gapUntil = -1;

  private void fillTo(long endExclusive) throws AudioDecodeException {
    while (!eof && bufStart + bufLen < endExclusive) {
      int need = (int) (endExclusive - bufStart);
      if (buf.length < need) {
        buf = Arrays.copyOf(buf, need);
      }
      int r = source.read(buf, bufLen, buf.length - bufLen);
      if (r < 0) {
        eof = true;
        break;
      }
      bufLen += r;
      if (gapUntil > bufStart) {
        int drop = (int) Math.min(bufLen, gapUntil - bufStart);
        System.arraycopy(buf, drop, buf, 0, bufLen - drop);
        bufLen -= drop;
        bufStart += drop;
        if (bufStart >= gapUntil) {
          gapUntil = -1;
        }
      }
    }
  }
}
