package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planned shards read as one split per shard, so runners hand them to workers as workers free up. */
class AudioShardSourceTest {

  private static final FrontEndConfig CFG = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(1.0);

  @Test
  void planCutsAFileIntoShardsOfTheGivenLengthTheLastOpenEnded(@TempDir Path dir) throws Exception {
    Path wav = TestAudio.write(dir, "a.wav", TestAudio.wav(TestAudio.sine(16000 * 25, 16000, 300, 0.5), 1, 16000, 16, false));
    List<AudioShard> shards = AudioIO.plan("a", wav.toString(), CFG, 10);
    assertEquals(List.of(new AudioShard("a", wav.toString(), 0, 10), new AudioShard("a", wav.toString(), 10, 20),
        new AudioShard("a", wav.toString(), 20, AudioShard.OPEN_ENDED)), shards);
    Path text = TestAudio.write(dir, "b.wav", "not audio\n".repeat(40).getBytes());
    assertThrows(AudioDecodeException.class, () -> AudioIO.plan("b", text.toString(), CFG, 10));
    assertThrows(AudioDecodeException.class, () -> AudioIO.plan("c", "", CFG, 10));
  }

  @Test
  void splitsIntoOneShardPerSplitWhateverSizeIsAsked() throws Exception {
    List<AudioShard> shards = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      shards.add(new AudioShard("f", "/f.wav", i * 100L, i == 4 ? AudioShard.OPEN_ENDED : (i + 1) * 100L));
    }
    AudioShardSource source = new AudioShardSource(shards);
    var options = PipelineOptionsFactory.create();
    for (long desired : new long[] {1, 1L << 20, Long.MAX_VALUE}) {
      var splits = source.split(desired, options);
      assertEquals(5, splits.size());
      for (int i = 0; i < 5; i++) {
        try (var reader = splits.get(i).createReader(options)) {
          assertEquals(true, reader.start());
          assertEquals(shards.get(i), reader.getCurrent());
          assertEquals(false, reader.advance());
        }
      }
    }
    assertEquals(5L << 20, source.getEstimatedSizeBytes(options));
  }

  @Test
  void readShardsGivesEveryShardOnceInAPipeline() {
    List<AudioShard> shards = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      shards.add(new AudioShard("f" + (i % 3), "/f" + (i % 3) + ".wav", i * 10L, i * 10L + 10));
    }
    DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
    o.setRunner(DirectRunner.class);
    o.setTargetParallelism(2);
    Pipeline p = Pipeline.create(o);
    PCollection<AudioShard> read = p.apply(AudioIO.readShards(shards));
    PAssert.that(read).containsInAnyOrder(shards);
    PAssert.that(p.apply("None", AudioIO.readShards(List.of()))).empty();
    p.run().waitUntilFinish();
  }
}
