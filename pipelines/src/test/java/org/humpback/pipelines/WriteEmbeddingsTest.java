package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteEmbeddingsTest {

  static Pipeline testPipeline() {
    DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
    o.setRunner(DirectRunner.class);
    o.setEnforceImmutability(true);
    o.setEnforceEncodability(true);
    o.setTargetParallelism(2);
    return Pipeline.create(o);
  }

  private static EmbeddedWindow window(String file, int i, int dim) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = file.hashCode() % 7 + i * 0.5f + j * 1e-3f;
    }
    return new EmbeddedWindow(file, i, i * 5.0, i * 5.0 + 5.0, v);
  }

  @Test
  void writesOneSortedFilePerGoodInputAndAResultForEveryInput(@TempDir Path dir) {
    EncodingSpec spec = new EncodingSpec("toy", "toy-1", ModelConfig.of("/m.tflite", ModelType.TFLITE),
        FrontEndConfig.defaults(), "c".repeat(64), dir.resolve("embeddings").toString(), Map.of("a", "1".repeat(64)));
    List<EmbeddedWindow> windows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      windows.add(window("a", i, 16));
    }
    windows.add(window("b", 0, 16));
    for (int i = 0; i < 5; i++) {
      if (i != 3) {
        windows.add(window("d", i, 16));
      }
    }
    Collections.shuffle(windows, new Random(7));
    Pipeline p = testPipeline();
    PCollectionTuple in = PCollectionTuple
        .of(WriteEmbeddings.FILES, p.apply("Files", Create.of(KV.of("a", "/a.wav"), KV.of("b", "/b.wav"),
            KV.of("c", "/c.wav"), KV.of("d", "/d.wav"))))
        .and(WriteEmbeddings.WINDOWS, p.apply("Windows", Create.of(windows)))
        .and(WriteEmbeddings.FAILURES, p.apply("Failures",
            Create.of(new FileFailure("b", "decode", "Cannot decode /b.wav: invalid data at byte 44"))));
    Path results = dir.resolve("results");
    in.apply(WriteEmbeddings.of(spec)).apply(ResultFiles.to(results));
    PipelineResult run = p.run();
    run.waitUntilFinish();

    List<FileResult> r = ResultFiles.read(results);
    assertEquals(List.of("a", "b", "c", "d"), r.stream().map(FileResult::audioFileId).toList());
    assertTrue(r.get(0).isOk());
    assertEquals(40, r.get(0).windows());
    assertEquals(16, r.get(0).vectorDim());
    assertEquals("decode", r.get(1).errorReason());
    assertTrue(r.get(1).errorMessage().contains("invalid data at byte 44"));
    assertEquals("no_windows", r.get(2).errorReason());
    assertEquals("incomplete", r.get(3).errorReason());
    assertTrue(r.get(3).errorMessage().contains("missing window 3"), r.get(3).errorMessage());

    Path a = spec.parquetPath("a");
    assertEquals(a.toString(), r.get(0).parquetPath());
    EmbeddingParquet.Contents c = EmbeddingParquet.read(a);
    assertEquals(40, c.rows().size());
    for (int i = 0; i < 40; i++) {
      assertEquals(i, c.rows().get(i).rowIndex());
      assertEquals(i * 5.0, c.rows().get(i).startS());
      assertArrayEquals(window("a", i, 16).embedding(), c.rows().get(i).embedding());
    }
    assertEquals("1".repeat(64), c.metadata().audioSha256());
    assertEquals(spec.signature(), c.metadata().encodingSignature());
    assertFalse(Files.exists(spec.parquetPath("b")));
    assertFalse(Files.exists(spec.parquetPath("d")));
    assertNull(r.get(1).parquetPath());

    assertEquals(40L, counter(run, "windows_written"));
    assertEquals(1L, counter(run, "files_ok"));
    assertEquals(1L, counter(run, "files_failed_decode"));
  }

  @Test
  void aFileWithMoreWindowsThanAnInMemoryGroupIsWrittenWholeOnFlink(@TempDir Path dir) {
    // Flink's batch GroupByKey result cannot be iterated twice, and a CoGroupByKey re-reads groups of
    // more than 10 000 values: the writer must read each group exactly once.
    EncodingSpec spec = new EncodingSpec("toy", "toy-1", ModelConfig.of("/m.tflite", ModelType.TFLITE),
        FrontEndConfig.defaults(), "c".repeat(64), dir.resolve("embeddings").toString(), Map.of());
    List<EmbeddedWindow> windows = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      windows.add(window("long", i, 4));
    }
    Collections.shuffle(windows, new Random(3));
    Pipeline p = Pipeline.create(EncodingPipeline.options("flink", "[local]", 2, false));
    PCollectionTuple in = PCollectionTuple
        .of(WriteEmbeddings.FILES, p.apply("Files", Create.of(KV.of("long", "/long.wav"))))
        .and(WriteEmbeddings.WINDOWS, p.apply("Windows", Create.of(windows)))
        .and(WriteEmbeddings.FAILURES, p.apply("Failures", Create.empty(org.apache.beam.sdk.coders.SerializableCoder.of(FileFailure.class))));
    Path results = dir.resolve("results");
    in.apply(WriteEmbeddings.of(spec)).apply(ResultFiles.to(results));
    p.run().waitUntilFinish();
    List<FileResult> r = ResultFiles.read(results);
    assertEquals(1, r.size());
    assertTrue(r.get(0).isOk(), r.toString());
    EmbeddingParquet.Contents c = EmbeddingParquet.read(spec.parquetPath("long"));
    assertEquals(12_000, c.rows().size());
    assertEquals(11_999, c.rows().get(11_999).rowIndex());
    assertArrayEquals(window("long", 11_999, 4).embedding(), c.rows().get(11_999).embedding());
  }

  static long counter(PipelineResult run, String name) {
    long sum = 0;
    for (MetricResult<Long> m : run.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(WriteEmbeddings.class, name)).build()).getCounters()) {
      sum += m.getAttempted();
    }
    return sum;
  }
}
