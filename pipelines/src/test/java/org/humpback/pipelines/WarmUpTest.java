package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmUpTest {

  @Test
  void theWriterWarmUpWritesAWholeParquetFileToMemory() throws Exception {
    byte[] b = EmbeddingParquet.warmUpWriter();
    assertTrue(b.length > 8, "a footer and a row group, not " + b.length + " bytes");
    assertEquals("PAR1", new String(b, 0, 4, StandardCharsets.US_ASCII));
    assertEquals("PAR1", new String(b, b.length - 4, 4, StandardCharsets.US_ASCII));
  }

  @Test
  void warmsUpEveryDoFnOfABuiltEncodingPipeline(@TempDir Path dir) throws Exception {
    Path wav = Fixtures.chirpWav(dir.resolve("a.wav"), 3, 16000, 1);
    Path model = TinyModels.writeTfLite(dir.resolve("m.tflite"), TinyModels.dense(16000, 8, 1), true);
    FrontEndConfig fe = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(1.0)
        .withFeatures(FeatureType.WAVEFORM);
    ModelConfig mc = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(TinyModels.EMBEDDING);
    String sig = EncodingSignature.compute("tiny", EncodingSignature.modelChecksum(model), mc, fe);
    EncodingSpec spec = new EncodingSpec("tiny", "tiny", mc, fe, sig, dir.resolve("embeddings").toString(), Map.of());
    Pipeline p = EncodingPipeline.build(EncodingPipeline.options("direct", null, 1, true), spec,
        List.of(new EncodingPipeline.Input("a", wav.toString(), "a".repeat(64))), dir.resolve("run/results"));

    Set<String> fns = WarmUp.doFns(p).stream().map(DoFn::getClass).map(Class::getSimpleName).collect(Collectors.toSet());
    assertTrue(fns.containsAll(Set.of("EncodeShardFn", "WriteFileFn", "WriteResultFn")), "found " + fns);

    Thread t = WarmUp.start(p);
    t.join(60_000);
    assertFalse(t.isAlive(), "the warm-up ends");
    assertTrue(t.isDaemon(), "and never keeps a JVM alive");
  }
}
