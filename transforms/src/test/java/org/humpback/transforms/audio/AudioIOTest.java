package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioIOTest {

  @TempDir Path dir;

  private static final FrontEndConfig CFG =
      FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(1.0);

  private static long counter(PipelineResult r, String name) {
    MetricQueryResults q = r.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(AudioIO.class.getName(), name)).build());
    long sum = 0;
    for (MetricResult<Long> c : q.getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static List<AudioWindow> wholeFile(String id, Path f) throws Exception {
    List<AudioWindow> out = new ArrayList<>();
    try (AudioDecoder d = AudioDecoder.open(f, CFG.sampleRate())) {
      Windower.over(id, d, CFG).iterator().forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void goodFilesGiveWindowsAndBadFilesGoToTheDeadLetterOutput() throws Exception {
    Path wav = TestAudio.write(dir, "a.wav", TestAudio.wav(TestAudio.sine(8000 * 3 + 500, 8000, 300, 0.5), 1, 8000, 16, false));
    Path mp3 = TestAudio.encode(TestAudio.write(dir, "b-src.wav",
        TestAudio.wav(TestAudio.sine(44100 * 2, 44100, 600, 0.3), 1, 44100, 16, false)), dir.resolve("b.mp3"));
    Path empty = TestAudio.write(dir, "c.wav", new byte[0]);
    Path text = TestAudio.write(dir, "d.wav", "not audio at all, just a note\n".repeat(30).getBytes());
    List<AudioWindow> expected = new ArrayList<>(wholeFile("a", wav));
    expected.addAll(wholeFile("b", mp3));
    assertEquals(4 + 2, expected.size());

    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple r = p.apply(Create.of(KV.of("a", wav.toString()), KV.of("b", mp3.toString()),
            KV.of("c", empty.toString()), KV.of("d", text.toString()), KV.of("e", dir.resolve("missing.wav").toString())))
        .apply(AudioIO.readWindows(CFG));
    PAssert.that(r.get(AudioIO.WINDOWS)).containsInAnyOrder(expected);
    PAssert.that(r.get(AudioIO.FAILURES)).satisfies(fs -> {
      Map<String, String> bySource = new TreeMap<>();
      for (AudioFailure f : fs) {
        bySource.put(f.sourceId(), f.reason());
        assertTrue(f.message().contains(f.path()), f.message());
      }
      assertEquals(Map.of("c", "EMPTY_FILE", "d", "NOT_AUDIO", "e", "IO"), bySource);
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(6, counter(result, "windows"));
    assertEquals(2, counter(result, "files_ok"));
    assertEquals(1, counter(result, "files_failed_EMPTY_FILE"));
    assertEquals(1, counter(result, "files_failed_NOT_AUDIO"));
  }

  @Test
  void shardedDecodingGivesTheWholeFileWindows() throws Exception {
    float[] x = new float[44100 * 9 + 777];
    java.util.Random rnd = new java.util.Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 44100.0) + 0.05 * rnd.nextGaussian());
    }
    Path wav = TestAudio.write(dir, "long.wav", TestAudio.wav(x, 1, 44100, 16, false));
    Path mp3 = TestAudio.encode(wav, dir.resolve("long.mp3"));
    for (LastWindowPolicy policy : new LastWindowPolicy[] {LastWindowPolicy.PAD, LastWindowPolicy.OVERLAP_BACK}) {
      FrontEndConfig cfg = CFG.withLastWindow(policy);
      List<AudioWindow> expected = new ArrayList<>();
      for (Path f : List.of(wav, mp3)) {
        try (AudioDecoder d = AudioDecoder.open(f, cfg.sampleRate())) {
          Windower.over(f.getFileName().toString(), d, cfg).iterator().forEachRemaining(expected::add);
        }
      }
      expected.sort(Comparator.comparing(AudioWindow::sourceId).thenComparingLong(AudioWindow::index));

      TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
      PCollectionTuple r = p.apply(Create.of(KV.of("long.wav", wav.toString()), KV.of("long.mp3", mp3.toString())))
          .apply(AudioIO.readWindows(cfg).withMaxShardSeconds(2.0));
      PAssert.that(r.get(AudioIO.WINDOWS)).satisfies(ws -> {
        List<AudioWindow> got = new ArrayList<>();
        ws.forEach(got::add);
        got.sort(Comparator.comparing(AudioWindow::sourceId).thenComparingLong(AudioWindow::index));
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
          AudioWindow a = expected.get(i);
          AudioWindow b = got.get(i);
          assertEquals(a.sourceId() + a.index() + a.startS() + a.endS(), b.sourceId() + b.index() + b.startS() + b.endS());
          assertArrayEquals(a.samples(), b.samples(), 1e-6f, "window " + a);
        }
        return null;
      });
      PAssert.that(r.get(AudioIO.FAILURES)).empty();
      PipelineResult result = p.run();
      result.waitUntilFinish();
      assertEquals(10, counter(result, "shards")); // 10 windows per file in 2-s shards
      assertEquals(2, counter(result, "files_ok"));
    }
  }

  @Test
  void planShardsSplitsByEstimatedLength() throws Exception {
    Path wav = TestAudio.write(dir, "ten.wav", TestAudio.wav(new float[8000 * 10], 1, 8000, 16, false));
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple r = p.apply(Create.of(KV.of("t", wav.toString()))).apply(AudioIO.planShards(CFG, 3.0));
    PAssert.that(r.get(AudioIO.SHARDS)).containsInAnyOrder(
        new AudioShard("t", wav.toString(), 0, 3), new AudioShard("t", wav.toString(), 3, 6),
        new AudioShard("t", wav.toString(), 6, 9), new AudioShard("t", wav.toString(), 9, AudioShard.OPEN_ENDED));
    PAssert.that(r.get(AudioIO.FAILURES)).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void configurationIsValidatedAndImmutable() {
    AudioIO.ReadWindows a = AudioIO.readWindows(CFG);
    AudioIO.ReadWindows b = a.withMaxShardSeconds(30);
    assertEquals(AudioIO.DEFAULT_MAX_SHARD_SECONDS, a.maxShardSeconds());
    assertEquals(30, b.maxShardSeconds());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.withMaxShardSeconds(0));
    assertTrue(e.getMessage().contains("maxShardSeconds: 0.0"), e.getMessage());
    assertThrows(NullPointerException.class, () -> AudioIO.readWindows(null));
    assertThrows(IllegalArgumentException.class, () -> new AudioShard("a", "p", 5, 5));
  }
}
