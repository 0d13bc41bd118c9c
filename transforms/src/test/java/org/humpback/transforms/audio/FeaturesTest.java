package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

class FeaturesTest {

  private static AudioWindow window(String id, long index, int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.2 * Math.sin(2 * Math.PI * (200 + 50 * index) * i / 32000.0) + 0.01 * r.nextGaussian());
    }
    return new AudioWindow(id, index, index * 5.0, index * 5.0 + n / 32000.0, x);
  }

  private static long counter(PipelineResult result, String name) {
    MetricQueryResults q = result.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(Features.class, name)).build());
    long total = 0;
    for (var c : q.getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  @Test
  void logMelTransformEqualsPlainFrontEndAndDropsBadWindows() {
    FrontEndConfig cfg = FrontEndConfig.defaults();
    List<AudioWindow> windows = new ArrayList<>();
    List<FeatureWindow> expected = new ArrayList<>();
    LogMelSpectrogram lm = LogMelSpectrogram.of(cfg);
    for (int i = 0; i < 3; i++) {
      AudioWindow w = window("file-a", i, 160000, i);
      windows.add(w);
      expected.add(new FeatureWindow("file-a", i, w.startS(), w.endS(), new int[] {128, 128}, lm.computeFlat(w.samples())));
    }
    float[] bad = new float[160000];
    bad[10] = Float.NaN;
    windows.add(new AudioWindow("file-b", 0, 0, 5, bad));

    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollection<FeatureWindow> out = p.apply(Create.of(windows)).apply(Features.logMel(cfg));
    PAssert.that(out).containsInAnyOrder(expected);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(3, counter(result, "logMelWindows"));
    assertEquals(1, counter(result, "windowsRejected"));
  }

  @Test
  void ofFollowsTheConfiguredFeatureType() {
    FrontEndConfig waveformCfg = FrontEndConfig.defaults().withFeatures(FeatureType.WAVEFORM).withWindowSeconds(0.5);
    assertInstanceOf(Features.LogMel.class, Features.of(FrontEndConfig.defaults()));
    Features.Waveform wf = assertInstanceOf(Features.Waveform.class, Features.of(waveformCfg));
    assertEquals(16000, wf.expectedSamples());

    AudioWindow good = window("f", 0, 16000, 1);
    AudioWindow wrongLength = window("f", 1, 999, 2);
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollection<FeatureWindow> out = p.apply(Create.of(good, wrongLength)).apply(Features.of(waveformCfg));
    PAssert.that(out).containsInAnyOrder(
        new FeatureWindow("f", 0, good.startS(), good.endS(), new int[] {16000}, good.samples()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(1, counter(result, "waveformWindows"));
    assertEquals(1, counter(result, "windowsRejected"));
  }

  @Test
  void withXReturnsChangedCopiesAndValidates() {
    Features.LogMel a = Features.logMel(FrontEndConfig.defaults());
    Features.LogMel b = a.withConfig(FrontEndConfig.defaults().withNMels(64));
    assertNotSame(a, b);
    assertEquals(128, a.config().nMels());
    assertEquals(64, b.config().nMels());
    assertEquals(0, Features.waveform().expectedSamples());
    assertThrows(IllegalArgumentException.class, () -> Features.waveform().withExpectedSamples(-1));
    assertThrows(NullPointerException.class, () -> Features.logMel(null));
  }
}
