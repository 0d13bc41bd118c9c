package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every runtime on real model files written by {@link TinyModels}, checked against plain-Java maths. */
class TinyModelRuntimesTest {

  private static final int IN = 48;
  private static final int OUT = 12;
  private static final Dense DENSE = TinyModels.dense(IN, OUT, 7);

  @TempDir Path tmp;

  static float[][] batch(int n, long seed) {
    Random r = new Random(seed);
    float[][] b = new float[n][IN];
    for (float[] row : b) {
      for (int i = 0; i < IN; i++) {
        row[i] = (float) r.nextGaussian();
      }
    }
    return b;
  }

  /** Runs 1 item and 7 items (a partial last batch with batch size 4) and compares with Java. */
  static void assertMatches(ModelConfig config, float factor, boolean relu) {
    try (EmbeddingModel m = EmbeddingModels.open(config)) {
      assertEquals(OUT, m.outputDim());
      float[][] items = batch(7, 3);
      float[][] batched = m.embed(items);
      float[][] single = m.embed(new float[][] {items[5]});
      assertEquals(7, batched.length);
      for (int i = 0; i < items.length; i++) {
        float[] want = relu ? DENSE.applyRelu(items[i]) : DENSE.apply(items[i]);
        for (int k = 0; k < OUT; k++) {
          want[k] *= factor;
        }
        assertArrayEquals(want, batched[i], 1e-4f, "item " + i + " of " + config);
      }
      assertArrayEquals(batched[5], single[0], 1e-5f);
      assertEquals(0, m.embed(new float[0][]).length);
    }
  }

  @Test
  void tfliteFixedBatchRunsItemByItem() {
    Path f = TinyModels.writeTfLite(tmp.resolve("dense.tflite"), DENSE, false);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(4).withThreads(1);
    assertMatches(c, 1f, false);
    assertMatches(c.withOutputName("relu"), 1f, true);
  }

  @Test
  void tfliteDynamicBatchIsResized() {
    Path f = TinyModels.writeTfLite(tmp.resolve("dense-dyn.tflite"), DENSE, true);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(4);
    try (TfLiteModel m = (TfLiteModel) EmbeddingModels.open(c)) {
      assertEquals(4, m.allocatedBatch());
    }
    assertMatches(c, 1f, false);
    assertMatches(c.withBatchSize(1), 1f, false);
    ModelDescription d = ModelProbe.probe(c);
    assertArrayEquals(new long[] {-1, IN}, d.selectedInput().shape());
    assertEquals(List.of("embedding", "relu"), d.outputs().stream().map(TensorInfo::name).toList());
    assertEquals(InputFormat.WAVEFORM, d.inputFormat());
    assertEquals(OUT, d.vectorDim());
  }

  @Test
  void tfliteInputWithoutBatchDimension() {
    Path f = TinyModels.writeTfLiteUnbatched(tmp.resolve("dense-rank1.tflite"), DENSE);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(4);
    ModelDescription d = ModelProbe.probe(c);
    assertArrayEquals(new long[] {IN}, d.selectedInput().shape());
    assertEquals(InputFormat.WAVEFORM, d.inputFormat());
    assertEquals(OUT, d.vectorDim());
    assertMatches(c, 1f, false);
  }

  @Test
  void tfliteFp16WeightsGiveFloatOutputs() {
    Path f = TinyModels.writeTfLiteFp16(tmp.resolve("dense-fp16.tflite"), DENSE);
    ModelDescription d = ModelProbe.probe(ModelConfig.of(f.toString(), ModelType.TFLITE));
    assertEquals("float32", d.selectedInput().dtype());
    assertMatches(ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(3), 1f, false);
  }

  @Test
  void tfliteInt8InputsAndOutputsAreQuantizedAndDequantized() {
    TinyModels.Quant inQ = new TinyModels.Quant(1 / 32f, 3);
    TinyModels.Quant outQ = new TinyModels.Quant(0.125f, -5);
    Path f = TinyModels.writeTfLiteInt8Io(tmp.resolve("int8.tflite"), DENSE, inQ, outQ);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE).withOutputName("embedding");
    ModelDescription d = ModelProbe.probe(c);
    assertEquals("int8", d.selectedInput().dtype());
    assertEquals("int8", d.selectedOutput().dtype());
    assertEquals(OUT, d.vectorDim());
    Random r = new Random(4);
    float[][] items = new float[5][IN];
    for (float[] row : items) {
      for (int i = 0; i < IN; i++) {
        row[i] = (float) (r.nextDouble() * 2 - 1);
      }
    }
    try (EmbeddingModel m = EmbeddingModels.open(c.withBatchSize(2))) {
      float[][] got = m.embed(items);
      for (int n = 0; n < items.length; n++) {
        float[] seen = new float[IN];
        for (int i = 0; i < IN; i++) {
          seen[i] = inQ.dequantize(inQ.quantize(items[n][i]));
        }
        float[] y = DENSE.apply(seen);
        for (int k = 0; k < OUT; k++) {
          float want = outQ.dequantize(outQ.quantize(y[k]));
          // One quantization step of slack: TFLite rounds ties away from zero, Java's Math.round up.
          assertEquals(want, got[n][k], outQ.scale() + 1e-4f, "item " + n + " value " + k);
        }
      }
    }
  }

  @Test
  void tfliteFlexOpIsDetectedAndRuns() {
    Path f = TinyModels.writeTfLiteFlex(tmp.resolve("dense-flex.tflite"), DENSE);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE);
    ModelDescription d = ModelProbe.probe(c);
    assertEquals(List.of("FlexAddV2"), d.flexOps());
    assertMatches(c, 2f, false);
  }

  @Test
  void opsTheRuntimeLacksAreNamedInTheError() {
    Path custom = TinyModels.writeTfLiteCustomOp(tmp.resolve("custom.tflite"), DENSE, "MyCustomOp", null);
    ModelException e = assertThrows(ModelException.class,
        () -> ModelProbe.probe(ModelConfig.of(custom.toString(), ModelType.TFLITE)));
    assertTrue(e.getMessage().contains("MyCustomOp"), e.getMessage());

    Path flex = TinyModels.writeTfLiteCustomOp(tmp.resolve("flex-bad.tflite"), DENSE, "FlexNoSuchOp", "NoSuchOp");
    ModelException f = assertThrows(ModelException.class, () -> {
      try (EmbeddingModel m = EmbeddingModels.open(ModelConfig.of(flex.toString(), ModelType.TFLITE))) {
        m.embed(batch(1, 1));
      }
    });
    assertTrue(f.getMessage().contains("FlexNoSuchOp"), f.getMessage());
  }

  @Test
  void savedModelServingDefaultWithSeveralOutputs() {
    Path dir = TinyModels.writeSavedModel(tmp.resolve("sm"), DENSE, false);
    ModelConfig c = ModelConfig.of(dir.toString(), ModelType.TF2_SAVED_MODEL).withOutputName("embedding");
    ModelDescription d = ModelProbe.probe(c);
    assertEquals("serving_default", d.selectedSignature());
    assertEquals(List.of("embedding", "relu"), d.outputs().stream().map(TensorInfo::name).toList());
    assertArrayEquals(new long[] {-1, IN}, d.selectedInput().shape());
    assertEquals(OUT, d.vectorDim());
    assertMatches(c.withBatchSize(4), 1f, false);
    assertMatches(c.withOutputName("relu"), 1f, true);
  }

  @Test
  void savedModelWaveformWithChannelDimAndNamedSignatures() {
    Path dir = TinyModels.writeSavedModel(tmp.resolve("sm2"), DENSE, true, "alpha", "beta");
    ModelConfig c = ModelConfig.of(dir.toString(), ModelType.TF2_SAVED_MODEL);
    ModelException e = assertThrows(ModelException.class, () -> ModelProbe.probe(c));
    assertTrue(e.getMessage().contains("[alpha, beta]") && e.getMessage().contains(dir.toString()), e.getMessage());
    ModelException bad = assertThrows(ModelException.class, () -> ModelProbe.probe(c.withSignatureName("gamma")));
    assertTrue(bad.getMessage().contains("gamma") && bad.getMessage().contains("alpha"), bad.getMessage());

    assertEquals(List.of("alpha", "beta"), ModelProbe.signatures(dir.toString(), ModelType.TF2_SAVED_MODEL));
    ModelConfig beta = c.withSignatureName("beta").withOutputName("embedding");
    ModelDescription d = ModelProbe.probe(beta);
    assertArrayEquals(new long[] {-1, IN, 1}, d.selectedInput().shape());
    assertEquals(InputFormat.WAVEFORM, d.inputFormat());
    assertMatches(beta, 1f, false);
  }

  @Test
  void onnxDynamicBatch() {
    Path f = TinyModels.writeOnnx(tmp.resolve("dense.onnx"), DENSE);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.ONNX).withOutputName("embedding").withThreads(1);
    ModelDescription d = ModelProbe.probe(c);
    assertEquals("input", d.selectedInput().name());
    assertArrayEquals(new long[] {-1, IN}, d.selectedInput().shape());
    assertEquals(OUT, d.vectorDim());
    assertMatches(c.withBatchSize(4), 1f, false);
    assertMatches(c.withOutputName("relu"), 1f, true);
  }

  @Test
  void unknownNamesAndWrongItemLengthsAreClearErrors() {
    Path f = TinyModels.writeTfLite(tmp.resolve("d.tflite"), DENSE, false);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE);
    ModelException e = assertThrows(ModelException.class, () -> ModelProbe.probe(c.withOutputName("logits")));
    assertTrue(e.getMessage().contains("logits") && e.getMessage().contains("embedding"), e.getMessage());
    try (EmbeddingModel m = EmbeddingModels.open(c)) {
      ModelException len = assertThrows(ModelException.class, () -> m.embed(new float[][] {new float[IN + 1]}));
      assertTrue(len.getMessage().contains(IN + " values per window"), len.getMessage());
    }
  }

  @Test
  void brokenFilesGiveModelExceptionNotACrash() {
    Path good = TinyModels.writeTfLite(tmp.resolve("good.tflite"), DENSE, false);
    Path onnx = TinyModels.writeOnnx(tmp.resolve("good.onnx"), DENSE);
    long size = good.toFile().length();
    for (int keep : new int[] {0, 7, 16, 100, (int) size / 2, (int) size - 10}) {
      Path cut = TinyModels.truncated(good, tmp.resolve("cut" + keep + ".tflite"), keep);
      ModelException e = assertThrows(ModelException.class,
          () -> ModelProbe.probe(ModelConfig.of(cut.toString(), ModelType.TFLITE)), "keep " + keep);
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
    Path junk = TinyModels.garbage(tmp.resolve("junk.tflite"), 5000, 1);
    assertThrows(ModelException.class, () -> ModelProbe.probe(ModelConfig.of(junk.toString(), ModelType.TFLITE)));
    Path cutOnnx = TinyModels.truncated(onnx, tmp.resolve("cut.onnx"), (int) onnx.toFile().length() / 2);
    assertThrows(ModelException.class, () -> ModelProbe.probe(ModelConfig.of(cutOnnx.toString(), ModelType.ONNX)));
    Path junkOnnx = TinyModels.garbage(tmp.resolve("junk.onnx"), 5000, 2);
    assertThrows(ModelException.class, () -> ModelProbe.probe(ModelConfig.of(junkOnnx.toString(), ModelType.ONNX)));
    assertThrows(ModelException.class,
        () -> ModelProbe.probe(ModelConfig.of(tmp.resolve("missing.tflite").toString(), ModelType.TFLITE)));
    assertThrows(ModelException.class,
        () -> ModelProbe.probe(ModelConfig.of(tmp.toString(), ModelType.TF2_SAVED_MODEL)));
    // A model of the wrong type.
    assertThrows(ModelException.class, () -> ModelProbe.probe(ModelConfig.of(good.toString(), ModelType.ONNX)));
  }
}
