package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing a tensor the graph computes but does not output (the way YAMNet's embedding sits in its
 * .tflite), on a classifier written by {@link TinyModels#writeTfLiteClassifier} whose only output
 * is {@code scores}; values are checked against plain-Java maths.
 */
class TinyModelIntermediateOutputTest {

  private static final int IN = 40;
  private static final int HIDDEN = 16;
  private static final int CLASSES = 5;
  private static final Dense FIRST = TinyModels.dense(IN, HIDDEN, 11);
  private static final Dense HEAD = TinyModels.dense(HIDDEN, CLASSES, 12);

  @TempDir Path tmp;

  static float[][] items(int n, long seed) {
    Random r = new Random(seed);
    float[][] b = new float[n][IN];
    for (float[] row : b) {
      for (int i = 0; i < IN; i++) {
        row[i] = (float) r.nextGaussian();
      }
    }
    return b;
  }

  static float[] scores(float[] x) {
    float[] logits = HEAD.apply(FIRST.applyRelu(x));
    float[] s = new float[logits.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (1 / (1 + Math.exp(-logits[i])));
    }
    return s;
  }

  /** 7 items with batch size 4 (a short last batch) and one alone, against {@code want}. */
  static void assertOutput(ModelConfig config, String name, int dim, java.util.function.Function<float[], float[]> want) {
    try (EmbeddingModel m = EmbeddingModels.open(config)) {
      assertEquals(name, m.selectedOutput().name());
      assertEquals(dim, m.outputDim());
      float[][] x = items(7, 5);
      float[][] out = m.embed(x);
      for (int i = 0; i < x.length; i++) {
        assertArrayEquals(want.apply(x[i]), out[i], 1e-4f, name + " item " + i + " of " + config);
      }
      assertArrayEquals(out[3], m.embed(new float[][] {x[3]})[0], 1e-5f);
    }
  }

  @Test
  void intermediateTensorsAreSelectableAndExact() throws Exception {
    for (boolean dynamic : new boolean[] {false, true}) {
      Path f = TinyModels.writeTfLiteClassifier(tmp.resolve("clf-" + dynamic + ".tflite"), FIRST, HEAD, dynamic);
      byte[] before = Files.readAllBytes(f);
      ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(4).withThreads(1);
      assertOutput(c, TinyModels.SCORES, CLASSES, TinyModelIntermediateOutputTest::scores);
      assertOutput(c.withOutputName(TinyModels.HIDDEN_RELU), TinyModels.HIDDEN_RELU, HIDDEN, FIRST::applyRelu);
      assertOutput(c.withOutputName(TinyModels.HIDDEN), TinyModels.HIDDEN, HIDDEN, FIRST::apply);
      // A TF-style port suffix is accepted, as for graph outputs.
      assertOutput(c.withOutputName(TinyModels.LOGITS + ":0"), TinyModels.LOGITS, CLASSES, x -> HEAD.apply(FIRST.applyRelu(x)));
      assertArrayEquals(before, Files.readAllBytes(f), "the model file itself is never rewritten");
    }
  }

  @Test
  void probeReportsTheExposedTensorAndTheEmbeddingCandidate() {
    Path f = TinyModels.writeTfLiteClassifier(tmp.resolve("clf.tflite"), FIRST, HEAD, false);
    ModelDescription plain = ModelProbe.probe(ModelConfig.of(f.toString(), ModelType.TFLITE));
    assertEquals(List.of(TinyModels.SCORES), plain.outputs().stream().map(TensorInfo::name).toList());

    ModelDescription d = ModelProbe.probe(ModelConfig.of(f.toString(), ModelType.TFLITE).withOutputName(TinyModels.HIDDEN_RELU));
    assertEquals(HIDDEN, d.vectorDim());
    assertEquals(List.of(TinyModels.SCORES, TinyModels.HIDDEN_RELU), d.outputs().stream().map(TensorInfo::name).toList());
    assertEquals(new TensorInfo(1, TinyModels.HIDDEN_RELU, new long[] {1, HIDDEN}, "float32"), d.selectedOutput());

    TensorInfo candidate = ModelProbe.embeddingCandidate(f.toString(), ModelType.TFLITE).orElseThrow();
    assertEquals(TinyModels.HIDDEN_RELU, candidate.name());
    assertArrayEquals(new long[] {1, HIDDEN}, candidate.shape());
    List<String> intermediates = ModelProbe.intermediateTensors(f.toString(), ModelType.TFLITE).stream()
        .map(TensorInfo::name).toList();
    assertEquals(List.of(TinyModels.HIDDEN, TinyModels.HIDDEN_RELU, TinyModels.LOGITS), intermediates);
    assertTrue(ModelProbe.embeddingCandidate(f.toString(), ModelType.ONNX).isEmpty());

    // A model whose last FULLY_CONNECTED reads the graph input has no embedding candidate.
    Path dense = TinyModels.writeTfLite(tmp.resolve("dense.tflite"), FIRST, false);
    assertTrue(ModelProbe.embeddingCandidate(dense.toString(), ModelType.TFLITE).isEmpty());
  }

  @Test
  void unknownOrConstantTensorNamesAreClearErrors() {
    Path f = TinyModels.writeTfLiteClassifier(tmp.resolve("clf.tflite"), FIRST, HEAD, false);
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.TFLITE);
    ModelException missing = assertThrows(ModelException.class, () -> ModelProbe.probe(c.withOutputName("embeddings")));
    String m = missing.getMessage();
    assertTrue(m.startsWith(f + ": no output or tensor named 'embeddings'"), m);
    assertTrue(m.contains("scores float32[1, " + CLASSES + "]"), "names the outputs: " + m);
    assertTrue(m.contains("hidden_relu float32[1, " + HIDDEN + "]"), "names the embedding candidate: " + m);

    ModelException constant = assertThrows(ModelException.class, () -> ModelProbe.probe(c.withOutputName("head_weights")));
    assertTrue(constant.getMessage().contains("'head_weights' is a constant or a graph input"), constant.getMessage());
    ModelException input = assertThrows(ModelException.class, () -> ModelProbe.probe(c.withOutputName(TinyModels.INPUT)));
    assertTrue(input.getMessage().contains("constant or a graph input"), input.getMessage());
    assertFalse(m.contains("head_weights"), "constants are not offered: " + m);
  }
}
