package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.testing.SharedCorpus;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic-range-quantized TFLite models (int8 weights, float activations) compute in float by
 * default: the weights are dequantized at load instead of TFLite's hybrid kernels quantizing the
 * activations on every call.
 */
class DequantizedWeightsTest {

  private static final Dense LAYER = TinyModels.dense(48, 12, 21);

  @TempDir Path tmp;

  @Test
  void hybridModelComputesTheStoredWeightsInFloat() {
    Path file = TinyModels.writeTfLiteHybrid(tmp.resolve("hybrid.tflite"), LAYER);
    Dense stored = TinyModels.hybridWeights(LAYER);
    float[][] x = new float[5][LAYER.in()];
    Random r = new Random(3);
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian())); // a wide range, as activations have
      }
    }
    ModelConfig config = ModelConfig.of(file.toString(), ModelType.TFLITE).withOutputName(TinyModels.EMBEDDING);
    double floatErr = maxError(config, x, stored);
    double hybridErr = maxError(config.withHybridKernels(true), x, stored);
    System.out.printf("hybrid FC, max |error| against the stored weights in double: dequantized %.2e, hybrid kernels %.2e%n",
        floatErr, hybridErr);
    assertTrue(floatErr < 1e-4, "dequantized weights: max error " + floatErr);
    // The hybrid kernel rounds each input row to 8 bits: visibly off, which is what the default avoids.
    assertTrue(hybridErr > 10 * floatErr && hybridErr > 1e-3, "hybrid kernels: max error " + hybridErr);
  }

  @Test
  void rewriteTouchesOnlyHybridWeights() throws Exception {
    Path hybrid = TinyModels.writeTfLiteHybrid(tmp.resolve("hybrid.tflite"), LAYER);
    byte[] bytes = Files.readAllBytes(hybrid);
    byte[] rewritten = TfLiteFlatbuffer.withDequantizedWeights(hybrid.toString(), bytes);
    assertNotNull(rewritten);
    // Inside the old bytes only the type byte, the quantization offset and the buffer's data offset change.
    int changed = countDiffs(bytes, rewritten);
    assertTrue(changed >= 1 && changed <= 9, "changed bytes: " + changed);
    TfLiteFlatbuffer.Graph graph = TfLiteFlatbuffer.read(writeTo("rewritten.tflite", rewritten).toString()).graph();
    assertEquals("float32", graph.find("weights_int8").orElseThrow().dtype());
    // Float, fp16 (DEQUANTIZE op) and fully int8 models have nothing to rewrite.
    Path plain = TinyModels.writeTfLite(tmp.resolve("plain.tflite"), LAYER, false);
    assertNull(TfLiteFlatbuffer.withDequantizedWeights(plain.toString(), Files.readAllBytes(plain)));
    Path fp16 = TinyModels.writeTfLiteFp16(tmp.resolve("fp16.tflite"), LAYER);
    assertNull(TfLiteFlatbuffer.withDequantizedWeights(fp16.toString(), Files.readAllBytes(fp16)));
  }

  /**
   * YAMNet's .tflite has 13 CONV_2D and 4 FULLY_CONNECTED layers on int8 weights. The corpus WAV
   * is the PCM16 of the Glacier Bay OGG (71 dB apart): with hybrid kernels their vectors were
   * measured 0.98 alike (min 0.94); in float they are equal to 4 decimals.
   */
  @Test
  void yamnetGivesTheSameVectorsForAWavAndTheOggItCameFrom() throws Exception {
    Path model = SharedCorpus.yamnet();
    Path wav = SharedCorpus.audio("humpback/glacier-bay-humpback.wav");
    Path ogg = SharedCorpus.audio("humpback/glacier-bay-humpback.ogg");
    assertEquals(17, countHybridWeights(model));
    FrontEndConfig frontEnd = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(0.975)
        .withFeatures(FeatureType.WAVEFORM);
    List<AudioWindow> a = windows(wav, frontEnd);
    List<AudioWindow> b = windows(ogg, frontEnd);
    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE)
        .withOutputName("yamnet_frames/global_average_pooling2d/Mean");
    double dequantized = meanCosine(config, a, b);
    double hybrid = meanCosine(config.withHybridKernels(true), a, b);
    System.out.printf("YAMNet, Glacier Bay WAV vs its source OGG: mean cosine %.5f dequantized, %.5f hybrid kernels%n",
        dequantized, hybrid);
    assertTrue(dequantized > 0.9999, "dequantized: " + dequantized);
    assertTrue(hybrid < dequantized, "hybrid: " + hybrid);
  }

  private static int countHybridWeights(Path model) throws Exception {
    byte[] bytes = Files.readAllBytes(model);
    byte[] rewritten = TfLiteFlatbuffer.withDequantizedWeights(model.toString(), bytes);
    assertNotNull(rewritten);
    Path tmpFile = Files.createTempFile("yamnet", ".tflite");
    try {
      Files.write(tmpFile, rewritten);
      TfLiteFlatbuffer.Graph before = TfLiteFlatbuffer.read(model.toString()).graph();
      TfLiteFlatbuffer.Graph after = TfLiteFlatbuffer.read(tmpFile.toString()).graph();
      int n = 0;
      for (int i = 0; i < before.tensors().size(); i++) {
        if (!before.tensors().get(i).dtype().equals(after.tensors().get(i).dtype())) {
          n++;
        }
      }
      return n;
    } finally {
      Files.deleteIfExists(tmpFile);
    }
  }

  private static double meanCosine(ModelConfig config, List<AudioWindow> a, List<AudioWindow> b) {
    int n = Math.min(a.size(), b.size());
    double sum = 0;
    try (EmbeddingModel m = EmbeddingModels.open(config)) {
      for (int k = 0; k < n; k++) {
        float[] x = m.embed(new float[][] {a.get(k).samples()})[0];
        float[] y = m.embed(new float[][] {b.get(k).samples()})[0];
        sum += Metric.cosine(x, y);
      }
    }
    return sum / n;
  }

  private static List<AudioWindow> windows(Path file, FrontEndConfig frontEnd) throws Exception {
    try (AudioDecoder d = AudioDecoder.open(file, frontEnd.sampleRate())) {
      return Windower.windows(file.getFileName().toString(), d.readAll(), frontEnd);
    }
  }


  private static double maxError(ModelConfig config, float[][] x, Dense want) {
    double max = 0;
    try (EmbeddingModel m = EmbeddingModels.open(config)) {
      float[][] out = m.embed(x);
      for (int i = 0; i < x.length; i++) {
        float[] y = want.apply(x[i]);
        for (int o = 0; o < y.length; o++) {
          max = Math.max(max, Math.abs(out[i][o] - y[o]) / Math.max(1, Math.abs(y[o])));
        }
      }
    }
    return max;
  }

  private static int countDiffs(byte[] a, byte[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        n++;
      }
    }
    return n;
  }

  private Path writeTo(String name, byte[] bytes) throws Exception {
    return Files.write(tmp.resolve(name), bytes);
  }
}
