package org.humpback.transforms.beam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioSource;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.FrontEndConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HumpbackIO#encodeFiles} + {@link EmbeddingParquetIO#write} with the shipped YAMNet on the
 * shipped audio: the files are cut into several shards, and the written rows equal one whole-file
 * pass of {@link ShardEncoder}; bad files become dead letters; a front end that does not fit the
 * model is refused when the transform is built.
 */
class HumpbackIOTest implements Serializable {

  @TempDir transient Path dir;

  /** Every window of a file in one shard: the reference the sharded run must equal. */
  static List<EmbeddedWindow> wholeFile(EncoderSpec spec, Path file) {
    List<EncodingFailure> failures = new ArrayList<>();
    try (ShardEncoder enc = ShardEncoder.open(spec)) {
      ShardEmbeddings e = enc.encode(new AudioShard(file.toString(), file.toString(), 0, AudioShard.OPEN_ENDED),
          AudioSource.of(file), new ShardEncoder.Listener() {
            @Override
            public void embedded(long n) {}

            @Override
            public void failed(EncodingFailure f) {
              failures.add(f);
            }
          });
      assertEquals(List.of(), failures);
      return e.rows();
    }
  }

  @Test
  void shardedEncodingWritesTheWholeFileRowsToParquet() throws Exception {
    EncoderSpec spec = Yamnet.spec();
    List<Path> audio = Yamnet.audio();
    String root = dir.resolve("embeddings").toString();
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple encoded = p
        .apply(FileIO.match().filepattern(Yamnet.AUDIO + "/*.ogg"))
        .apply(FileIO.readMatches())
        .apply(HumpbackIO.encodeFiles(spec).withMaxShardSeconds(10));
    PAssert.that(encoded.get(HumpbackIO.FAILURES)).empty();
    PCollectionTuple written = encoded.get(HumpbackIO.EMBEDDINGS)
        .apply(EmbeddingParquetIO.write(root).withFooter(Yamnet.footer()));
    PAssert.that(written.get(EmbeddingParquetIO.FAILURES)).empty();
    PCollection<String> ids = written.get(EmbeddingParquetIO.WRITTEN)
        .apply(MapElements.into(TypeDescriptors.strings()).via(EmbeddingParquetIO.WrittenFile::sourceId));
    PAssert.that(ids).containsInAnyOrder(audio.stream().map(Path::toString).toList());
    PipelineResult r = p.run();
    r.waitUntilFinish();

    long shards = r.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(HumpbackIO.METRICS_NAMESPACE, "shards_ok")).build())
        .getCounters().iterator().next().getAttempted();
    assertTrue(shards > audio.size(), "files were cut into shards: " + shards);
    long total = 0;
    for (Path f : audio) {
      String file = EmbeddingParquetIO.target(root, Yamnet.footer(), f.toString());
      EmbeddingParquet.Contents c = EmbeddingParquet.read(file);
      List<EmbeddedWindow> want = wholeFile(spec, f);
      assertEquals(want.size(), c.rows().size(), f.toString());
      for (int i = 0; i < want.size(); i++) {
        EmbeddingParquet.Row row = c.rows().get(i);
        assertEquals(i, row.rowIndex());
        assertEquals(want.get(i).startS(), row.startS(), 0);
        assertEquals(want.get(i).endS(), row.endS(), 0);
        assertArrayEquals(want.get(i).embedding(), row.embedding(), 1e-6f, f + " row " + i);
      }
      assertEquals(1024, c.metadata().vectorDim());
      assertEquals("unknown", c.metadata().audioSha256());
      assertEquals(Yamnet.FRONT_END.toCanonicalJson(), c.metadata().frontEndConfigJson());
      total += want.size();
    }
    assertEquals(total, r.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(HumpbackIO.METRICS_NAMESPACE, "windows_written")).build())
        .getCounters().iterator().next().getAttempted());
    // The parts are gone; only the files (no temps) are left.
    try (var s = Files.walk(dir)) {
      assertEquals(audio.size(), s.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void badFilesBecomeDeadLettersAndTheGoodOneIsWritten() throws Exception {
    EncoderSpec spec = Yamnet.spec();
    Path good = Yamnet.audio().get(0);
    Path text = Files.writeString(dir.resolve("notes.wav"), "not audio\n".repeat(50));
    Path missing = dir.resolve("missing.wav");
    String root = dir.resolve("out").toString();
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple encoded = p
        .apply(Create.of(KV.of("good", good.toString()), KV.of("text", text.toString()), KV.of("missing", missing.toString())))
        .apply(HumpbackIO.encode(spec));
    PAssert.that(encoded.get(HumpbackIO.FAILURES)
            .apply("FailureKeys", MapElements.into(TypeDescriptors.strings()).via((EncodingFailure f) -> f.sourceId() + ":" + f.reason())))
        .containsInAnyOrder("text:DECODE", "missing:DECODE");
    PCollectionTuple written = encoded.get(HumpbackIO.EMBEDDINGS)
        .apply(EmbeddingParquetIO.write(root).withFooter(Yamnet.footer()).withAudioSha256(Map.of("good", "b".repeat(64))));
    PAssert.that(written.get(EmbeddingParquetIO.WRITTEN)
        .apply("WrittenIds", MapElements.into(TypeDescriptors.strings()).via(EmbeddingParquetIO.WrittenFile::sourceId)))
        .containsInAnyOrder("good");
    p.run().waitUntilFinish();
    EmbeddingParquet.Metadata md = EmbeddingParquet.readMetadata(
        EmbeddingParquet.path(root, "yamnet", "good", "a".repeat(64)));
    assertEquals("b".repeat(64), md.audioSha256());
  }

  @Test
  void theSinkWritesNoFileWithAMissingWindowOrShard() {
    EncodingFailure gap = EmbeddingParquetIO.JoinFn.check("f", List.of(
        new EmbeddingParquetIO.Part(0, 10, 0, 9, 10, 4, true, "a"),
        new EmbeddingParquetIO.Part(10, AudioShard.OPEN_ENDED, 11, 15, 5, 4, true, "b")));
    assertEquals(EncodingFailure.Reason.INCOMPLETE, gap.reason());
    assertTrue(gap.message().contains("missing window 10"), gap.message());
    EncodingFailure lost = EmbeddingParquetIO.JoinFn.check("f", List.of(new EmbeddingParquetIO.Part(0, 10, 0, 9, 10, 4, true, "a")));
    assertTrue(lost.message().contains("from 10 to the end"), lost.message());
    assertEquals(EncodingFailure.Reason.NO_WINDOWS, EmbeddingParquetIO.JoinFn.check("f", List.of(
        new EmbeddingParquetIO.Part(0, AudioShard.OPEN_ENDED, -1, -1, 0, 0, true, null))).reason());
    assertEquals(null, EmbeddingParquetIO.JoinFn.check("f", List.of(
        new EmbeddingParquetIO.Part(0, 10, 0, 9, 10, 4, true, "a"),
        new EmbeddingParquetIO.Part(10, AudioShard.OPEN_ENDED, 10, 12, 3, 4, true, "b"))));
  }

  @Test
  void aFrontEndThatDoesNotFitTheModelIsRefusedWhenTheTransformIsBuilt() {
    EncoderSpec wrong = EncoderSpec.of(Yamnet.model(), FrontEndConfig.defaults());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HumpbackIO.encode(wrong));
    assertTrue(e.getMessage().contains("log_mel") && e.getMessage().contains("128 mels")
        && e.getMessage().contains(Yamnet.MODEL.toString()) && e.getMessage().contains("waveform"), e.getMessage());
    EncoderSpec shortWindows = EncoderSpec.of(Yamnet.model(), Yamnet.FRONT_END.withWindowSeconds(0.5));
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> HumpbackIO.encodeFiles(shortWindows));
    assertTrue(e2.getMessage().contains("takes 15600 values per window, the front end makes 8000"), e2.getMessage());
    assertNotNull(HumpbackIO.encode(Yamnet.spec()));
  }

  @Test
  void configurationIsValidatedAndImmutable() {
    HumpbackIO.Encode e = HumpbackIO.encode(Yamnet.spec());
    assertEquals(HumpbackIO.DEFAULT_MAX_SHARD_SECONDS, e.maxShardSeconds());
    assertEquals(60, e.withMaxShardSeconds(60).maxShardSeconds());
    assertEquals(HumpbackIO.DEFAULT_MAX_SHARD_SECONDS, e.maxShardSeconds());
    assertThrows(IllegalArgumentException.class, () -> e.withMaxShardSeconds(0));
    assertThrows(IllegalArgumentException.class, () -> EmbeddingParquetIO.write(" "));
    assertThrows(IllegalArgumentException.class, () -> HumpbackIO.encode(null));
    Map<String, String> names = new HashMap<>();
    names.put("abc-1", EmbeddingParquetIO.fileName("abc-1"));
    names.put("/x/y/song.wav", EmbeddingParquetIO.fileName("/x/y/song.wav"));
    assertEquals("abc-1", names.get("abc-1"));
    assertTrue(names.get("/x/y/song.wav").startsWith("song.wav-"), names.get("/x/y/song.wav"));
  }
}
