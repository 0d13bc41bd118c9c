package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class WindowerTest {

  @TempDir Path dir;

  /** 1 kHz rate, 1-s windows: sample values equal their index so positions are visible. */
  private static FrontEndConfig cfg(double window, double hop, LastWindowPolicy p) {
    return FrontEndConfig.defaults().withSampleRate(1000).withFmax(null).withWindowSeconds(window)
        .withHopSeconds(hop).withLastWindow(p);
  }

  private static float[] ramp(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i + 1; // never 0, so padding is distinguishable
    }
    return x;
  }

  @ParameterizedTest
  @CsvSource({
      // n, window, hop, policy, count, fullWindows, lastStart, lastValid
      "2500, 1000, 1000, PAD, 3, 2, 2000, 500",
      "2500, 1000, 1000, OVERLAP_BACK, 3, 2, 1500, 1000",
      "2500, 1000, 1000, DROP, 2, 2, 1000, 1000",
      "3000, 1000, 1000, PAD, 3, 3, 2000, 1000",
      "3000, 1000, 1000, OVERLAP_BACK, 3, 3, 2000, 1000",
      "400, 1000, 1000, PAD, 1, 0, 0, 400",
      "400, 1000, 1000, OVERLAP_BACK, 1, 0, 0, 400",
      "400, 1000, 1000, DROP, 1, 0, 0, 400",
      "2500, 1000, 500, PAD, 4, 4, 1500, 1000",
      "2600, 1000, 500, PAD, 5, 4, 2000, 600",
      "2600, 1000, 500, OVERLAP_BACK, 5, 4, 1600, 1000",
      "2500, 1000, 1500, PAD, 2, 2, 1500, 1000",
      "2000, 1000, 1500, PAD, 2, 1, 1500, 500",
      "1400, 1000, 1500, PAD, 1, 1, 0, 1000",
      "1400, 1000, 1500, OVERLAP_BACK, 2, 1, 400, 1000",
  })
  void planArithmetic(long n, int w, int hop, LastWindowPolicy p, long count, long full, long lastStart, int lastValid) {
    WindowPlan plan = new WindowPlan(n, w, hop, p);
    assertEquals(count, plan.count());
    assertEquals(full, plan.fullWindows());
    assertEquals(lastStart, plan.startSample(count - 1));
    assertEquals(lastValid, plan.validSamples(count - 1));
  }

  @ParameterizedTest
  @CsvSource({"2500,1.0,1.0,PAD", "2500,1.0,1.0,OVERLAP_BACK", "2500,1.0,1.0,DROP", "3000,1.0,1.0,PAD",
      "2600,1.0,0.5,PAD", "2600,1.0,0.5,OVERLAP_BACK", "2500,1.0,1.5,PAD", "1400,1.0,1.5,OVERLAP_BACK",
      "7777,1.0,0.3,OVERLAP_BACK", "7777,1.0,0.3,PAD", "999,1.0,1.0,DROP"})
  void windowsFollowThePlan(int n, double w, double hop, LastWindowPolicy p) {
    FrontEndConfig c = cfg(w, hop, p);
    float[] x = ramp(n);
    List<AudioWindow> ws = Windower.windows("f", x, c);
    WindowPlan plan = WindowPlan.of(n, c);
    assertEquals(plan.count(), ws.size());
    for (int k = 0; k < ws.size(); k++) {
      AudioWindow win = ws.get(k);
      long start = plan.startSample(k);
      int valid = plan.validSamples(k);
      assertEquals(k, win.index());
      assertEquals(start / 1000.0, win.startS(), 1e-12);
      assertEquals((start + valid) / 1000.0, win.endS(), 1e-12);
      assertEquals(c.windowSamples(), win.samples().length);
      for (int i = 0; i < win.samples().length; i++) {
        assertEquals(i < valid ? start + i + 1 : 0, win.samples()[i], 0, "window " + k + " sample " + i);
      }
    }
  }

  @Test
  void defaultsGiveFiveSecondPaddedWindows() {
    FrontEndConfig c = FrontEndConfig.defaults();
    List<AudioWindow> ws = Windower.windows("x", new float[32000 * 12], c);
    assertEquals(3, ws.size());
    assertEquals(10.0, ws.get(2).startS());
    assertEquals(12.0, ws.get(2).endS());
    assertEquals(160000, ws.get(2).samples().length);
  }

  @ParameterizedTest
  @EnumSource(LastWindowPolicy.class)
  void shortFileGivesOnePaddedWindowAndAWarning(LastWindowPolicy p) throws Exception {
    float[] x = ramp(300);
    int[] pos = {0};
    Windower w = Windower.over("short", (b, off, len) -> {
      if (pos[0] >= x.length) {
        return -1;
      }
      int m = Math.min(len, x.length - pos[0]);
      System.arraycopy(x, pos[0], b, off, m);
      pos[0] += m;
      return m;
    }, cfg(1.0, 1.0, p));
    AudioWindow only = w.next();
    assertEquals(0, only.index());
    assertEquals(0.3, only.endS(), 1e-12);
    assertEquals(0f, only.samples()[300]);
    assertEquals(300f, only.samples()[299]);
    assertEquals(null, w.next());
    assertEquals(1, w.warnings().size());
    assertTrue(w.warnings().get(0).contains("shorter than one window"), w.warnings().get(0));
  }

  @Test
  void emptyStreamIsAnError() {
    AudioDecodeException e = assertThrows(AudioDecodeException.class,
        () -> Windower.over("nothing", (b, o, l) -> -1, cfg(1.0, 1.0, LastWindowPolicy.PAD)).next());
    assertTrue(e.getMessage().contains("no audio samples"));
  }

  @Test
  void sourceDeliveringTinyChunksGivesTheSameWindows() throws Exception {
    FrontEndConfig c = cfg(1.0, 0.7, LastWindowPolicy.OVERLAP_BACK);
    float[] x = ramp(5432);
    int[] pos = {0};
    Windower w = Windower.over("f", (b, off, len) -> {
      if (pos[0] >= x.length) {
        return -1;
      }
      int m = Math.min(Math.min(len, 37), x.length - pos[0]);
      System.arraycopy(x, pos[0], b, off, m);
      pos[0] += m;
      return m;
    }, c);
    List<AudioWindow> got = new ArrayList<>();
    w.iterator().forEachRemaining(got::add);
    assertEquals(Windower.windows("f", x, c), got);
  }

  @ParameterizedTest
  @EnumSource(LastWindowPolicy.class)
  void decodedShardsJoinIntoTheWholeFileWindows(LastWindowPolicy p) throws Exception {
    int rate = 8000;
    float[] x = TestAudio.sine(rate * 7 + 1234, rate, 440, 0.4);
    Path f = TestAudio.write(dir, "s.wav", TestAudio.wav(x, 1, rate, 16, false));
    FrontEndConfig c = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(1.0).withLastWindow(p);
    List<AudioWindow> whole = new ArrayList<>();
    try (AudioDecoder d = AudioDecoder.open(f, 16000)) {
      Windower.over("s", d, c).iterator().forEachRemaining(whole::add);
    }
    assertEquals(p == LastWindowPolicy.DROP ? 7 : 8, whole.size());
    List<AudioWindow> sharded = new ArrayList<>();
    long[][] shards = {{0, 3}, {3, 5}, {5, 7}, {7, -1}};
    for (long[] s : shards) {
      try (AudioDecoder d = AudioDecoder.open(f, 16000, Windower.shardStartSeconds(c, s[0]))) {
        Windower.overShard("s", d, c, s[0], s[1]).iterator().forEachRemaining(sharded::add);
      }
    }
    assertEquals(whole.size(), sharded.size());
    for (int i = 0; i < whole.size(); i++) {
      AudioWindow a = whole.get(i);
      AudioWindow b = sharded.get(i);
      assertEquals(a.index(), b.index());
      assertEquals(a.startS(), b.startS());
      assertEquals(a.endS(), b.endS());
      assertArrayEquals(a.samples(), b.samples(), 1e-6f, "window " + i);
    }
  }

  @Test
  void shardBeyondTheEndIsEmpty() throws Exception {
    Path f = TestAudio.write(dir, "s.wav", TestAudio.wav(new float[8000 * 2], 1, 8000, 16, false));
    FrontEndConfig c = FrontEndConfig.defaults().withSampleRate(8000).withWindowSeconds(1.0);
    try (AudioDecoder d = AudioDecoder.open(f, 8000, Windower.shardStartSeconds(c, 5))) {
      assertEquals(null, Windower.overShard("s", d, c, 5, -1).next());
      assertTrue(d.stats().clean(), d.stats().toString());
    }
  }

  @Test
  void rejectsDecoderAtTheWrongRate() throws Exception {
    Path f = TestAudio.write(dir, "s.wav", TestAudio.wav(new float[800], 1, 8000, 16, false));
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Windower.over("s", d, FrontEndConfig.defaults()));
      assertTrue(e.getMessage().contains("8000 Hz"), e.getMessage());
    }
    assertTrue(Arrays.asList(LastWindowPolicy.values()).contains(LastWindowPolicy.PAD));
  }
}
