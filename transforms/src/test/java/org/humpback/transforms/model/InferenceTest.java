package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.humpback.transforms.audio.EmbeddedWindow;
import org.humpback.transforms.audio.FeatureWindow;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Inference} in a DirectRunner pipeline on a written TFLite model. */
class InferenceTest {

  private static final int IN = 32;
  private static final int OUT = 6;
  private static final Dense DENSE = TinyModels.dense(IN, OUT, 11);

  @TempDir Path tmp;

  private static FeatureWindow window(String source, long index) {
    float[] v = new float[IN];
    for (int i = 0; i < IN; i++) {
      v[i] = (float) Math.sin(0.1 * i * (index + 1)) + source.length() * 0.01f;
    }
    return new FeatureWindow(source, index, index * 0.5, index * 0.5 + 1.0, new int[] {IN}, v);
  }

  private static EmbeddedWindow expected(FeatureWindow w) {
    return new EmbeddedWindow(w.sourceId(), w.index(), w.startS(), w.endS(), DENSE.apply(w.values()));
  }

  /** Rounds vectors so the comparison with the Java maths tolerates float differences (1e-4). */
  static final class Rounded extends DoFn<EmbeddedWindow, String> {
    @ProcessElement
    public void process(@Element EmbeddedWindow w, @Timestamp Instant ts, OutputReceiver<String> out) {
      out.output(key(w) + "@" + ts.getMillis());
    }
  }

  static String key(EmbeddedWindow w) {
    StringBuilder sb = new StringBuilder(w.sourceId() + "#" + w.index() + ":");
    for (float f : w.embedding()) {
      sb.append(Math.round(f * 1000)).append(',');
    }
    return sb.toString();
  }

  @Test
  void embedsEveryWindowInBatchesKeepingTimestampsAndWindows() {
    Path model = TinyModels.writeTfLite(tmp.resolve("dense.tflite"), DENSE, true);
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    List<TimestampedValue<FeatureWindow>> input = new ArrayList<>();
    List<String> want = new ArrayList<>();
    List<String> wantFirstMinute = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      FeatureWindow w = window(i % 2 == 0 ? "a.wav" : "b.wav", i);
      long millis = i * 7_000L; // spans several one-minute windows
      input.add(TimestampedValue.of(w, new Instant(millis)));
      want.add(key(expected(w)) + "@" + millis);
      if (millis < 60_000) {
        wantFirstMinute.add(key(expected(w)) + "@" + millis);
      }
    }
    PCollection<String> out = p.apply(Create.timestamped(input))
        .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))))
        .apply(Inference.embed(ModelConfig.of(model.toString(), ModelType.TFLITE)).withBatchSize(4))
        .apply(ParDo.of(new Rounded()));
    PAssert.that(out).containsInAnyOrder(want);
    PAssert.that(out).inWindow(new IntervalWindow(new Instant(0), Duration.standardMinutes(1)))
        .containsInAnyOrder(wantFirstMinute);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> counters = counters(result);
    assertEquals(23L, counters.get("embedded_windows"));
    assertTrue(counters.get("model_calls") >= 6, counters.toString()); // 23 windows, batches of <= 4
  }

  @Test
  void windowsOfTheWrongLengthGoToTheDeadLetterOutput() {
    Path model = TinyModels.writeTfLite(tmp.resolve("dense2.tflite"), DENSE, false);
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    FeatureWindow good = window("a.wav", 0);
    FeatureWindow bad = new FeatureWindow("c.wav", 4, 2.0, 3.0, new int[] {IN + 3}, new float[IN + 3]);
    PCollectionTuple out = p.apply(Create.of(good, bad))
        .apply(Inference.embed(ModelConfig.of(model.toString(), ModelType.TFLITE)).withBatchSize(8).withFailures());
    PAssert.that(out.get(Inference.EMBEDDED).apply(ParDo.of(new Rounded())))
        .containsInAnyOrder(key(expected(good)) + "@" + org.apache.beam.sdk.transforms.windowing.BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());
    PAssert.that(out.get(Inference.FAILED)).satisfies(failures -> {
      List<FailedWindow> list = new ArrayList<>();
      failures.forEach(list::add);
      assertEquals(1, list.size());
      assertEquals("c.wav", list.get(0).sourceId());
      assertTrue(list.get(0).error().contains("takes " + IN), list.get(0).error());
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(1L, counters(result).get("failed_windows"));
  }

  @Test
  void configurationIsValidated() {
    ModelConfig c = ModelConfig.of("/x.tflite", ModelType.TFLITE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inference.embed(c).withBatchSize(0));
    assertTrue(e.getMessage().contains("batch_size: 0"), e.getMessage());
    assertEquals(16, Inference.embed(c).withBatchSize(16).config().batchSize());
    assertEquals(1, Inference.embed(c).config().batchSize()); // withX returns copies
  }

  private static Map<String, Long> counters(PipelineResult result) {
    MetricQueryResults q = result.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(Inference.METRICS)).build());
    Map<String, Long> m = new TreeMap<>();
    for (MetricResult<Long> c : q.getCounters()) {
      m.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    return m;
  }
}
