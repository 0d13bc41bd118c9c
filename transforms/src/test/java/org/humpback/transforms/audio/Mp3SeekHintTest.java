package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MP3 time shards jump to a packet found by one pass at planning time instead of demuxing every
 * packet from the file's start, and decode exactly the same samples.
 */
class Mp3SeekHintTest {

  @TempDir static Path dir;
  static Path mp3;

  @BeforeAll
  static void encode() throws Exception {
    int rate = 22050;
    float[] x = new float[rate * 95];
    java.util.Random r = new java.util.Random(4);
    for (int i = 0; i < x.length; i++) {
      double t = i / (double) rate;
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (200 + 30 * Math.sin(t)) * t) + 0.05 * r.nextGaussian());
    }
    Path wav = TestAudio.write(dir, "song.wav", TestAudio.wav(x, 1, rate, 16, false));
    mp3 = TestAudio.encode(wav, dir.resolve("song.mp3"));
  }

  private static float[] read(double start, AudioDecoder.SeekHint hint, int n, List<String> warnings) throws Exception {
    try (AudioDecoder d = AudioDecoder.open(mp3, 16000, start, hint)) {
      float[] buf = new float[n];
      int got = 0;
      while (got < n) {
        int k = d.read(buf, got, n - got);
        if (k < 0) {
          break;
        }
        got += k;
      }
      warnings.addAll(d.stats().warnings());
      return Arrays.copyOf(buf, got);
    }
  }

  private static AudioDecoder.SeekHint before(List<AudioDecoder.SeekHint> hints, double start) {
    AudioDecoder.SeekHint best = null;
    for (AudioDecoder.SeekHint h : hints) {
      if (h.seconds() <= start - 5) {
        best = h;
      }
    }
    return best;
  }

  @Test
  void aJumpToAHintDecodesTheSameSamplesAsDemuxingFromTheStart() throws Exception {
    List<AudioDecoder.SeekHint> hints = AudioDecoder.seekHints(mp3, 10);
    assertTrue(hints.size() >= 8, "one hint about every 10 s of 95 s: " + hints);
    for (int i = 1; i < hints.size(); i++) {
      assertTrue(hints.get(i).seconds() - hints.get(i - 1).seconds() >= 10);
      assertTrue(hints.get(i).bytePos() > hints.get(i - 1).bytePos());
    }
    for (double start : new double[] {17.3, 42.0, 80.5}) {
      AudioDecoder.SeekHint hint = before(hints, start);
      assertNotNull(hint);
      List<String> warnings = new ArrayList<>();
      float[] plain = read(start, null, 48_000, warnings);
      float[] jumped = read(start, hint, 48_000, warnings);
      assertEquals(48_000, jumped.length);
      assertArrayEquals(plain, jumped, "start " + start + " s from the hint at " + hint.seconds() + " s (bit-exact)");
      assertEquals(List.of(), warnings);
    }
  }

  @Test
  void aHintThatDoesNotLandFallsBackToTheStartWithAWarning() throws Exception {
    AudioDecoder.SeekHint good = before(AudioDecoder.seekHints(mp3, 10), 60);
    AudioDecoder.SeekHint wrong = new AudioDecoder.SeekHint(good.pts(), good.bytePos() + 7, good.size(), good.seconds());
    List<String> warnings = new ArrayList<>();
    float[] plain = read(60, null, 16_000, new ArrayList<>());
    assertArrayEquals(plain, read(60, wrong, 16_000, warnings));
    assertTrue(warnings.stream().anyMatch(w -> w.contains("seek hint")), warnings.toString());
    // A hint after the start is not used at all.
    List<String> none = new ArrayList<>();
    assertArrayEquals(read(20, null, 16_000, new ArrayList<>()), read(20, good, 16_000, none));
    assertEquals(List.of(), none);
  }

  @Test
  void planGivesEveryShardButTheLastAHintAndTheShardsJoinIntoTheWholeFile() throws Exception {
    FrontEndConfig cfg = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(1.0)
        .withFeatures(FeatureType.WAVEFORM);
    List<AudioShard> shards = org.humpback.transforms.beam.ShardEncoder.plan("song", AudioSource.of(mp3), cfg, 20);
    assertEquals(5, shards.size());
    assertNull(shards.get(0).seekHint(), "nothing to jump over before the first shard");
    assertNull(shards.get(1).seekHint(), "hints are 30 s apart and at least 5 s before a shard: none before 20 s");
    for (int i = 2; i < 4; i++) {
      assertNotNull(shards.get(i).seekHint(), "shard " + i);
      assertTrue(shards.get(i).seekHint().seconds() <= shards.get(i).firstWindow() - 5.0);
    }
    assertNull(shards.get(4).seekHint(), "the last shard reads to the end: no hint (end padding)");
    List<AudioWindow> whole;
    try (AudioDecoder d = AudioDecoder.open(mp3, 16000)) {
      whole = Windower.windows("song", d.readAll(), cfg);
    }
    List<AudioWindow> joined = new ArrayList<>();
    for (AudioShard s : shards) {
      try (AudioDecoder d = AudioDecoder.open(mp3, 16000, Windower.shardStartSeconds(cfg, s.firstWindow()), s.seekHint())) {
        Windower w = Windower.overShard("song", d, cfg, s.firstWindow(), s.lastWindowExclusive());
        for (AudioWindow a = w.next(); a != null; a = w.next()) {
          joined.add(a);
        }
      }
    }
    assertEquals(whole.size(), joined.size());
    for (int i = 0; i < whole.size(); i++) {
      assertEquals(whole.get(i).index(), joined.get(i).index());
      assertArrayEquals(whole.get(i).samples(), joined.get(i).samples(), 1e-6f, "window " + i);
    }
    var out = new java.io.ByteArrayOutputStream();
    AudioShard.ShardCoder.of().encode(shards.get(2), out);
    assertEquals(shards.get(2), AudioShard.ShardCoder.of().decode(new java.io.ByteArrayInputStream(out.toByteArray())));
  }

  @Test
  void timestampSeekedFormatsNeedNoHints() throws Exception {
    Path wav = TestAudio.write(dir, "plain.wav", TestAudio.wav(TestAudio.sine(16000 * 50, 16000, 300, 0.5), 1, 16000, 16, false));
    assertEquals(List.of(), AudioDecoder.seekHints(wav, 10));
  }
}
