package org.humpback.pipelines.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration and scan over tiny real TFLite, ONNX and SavedModel files written by {@link TinyModels}. */
class ModelRegistryTinyModelsTest {

  @TempDir static Path dir;
  static Path modelsDir;
  static Database db;
  static ModelRegistry registry;

  @BeforeAll
  static void writeModels() throws IOException {
    modelsDir = Files.createDirectories(dir.resolve("models"));
    TinyModels.Dense dense = TinyModels.dense(12, 6, 7);
    Path tflite = TinyModels.writeTfLite(modelsDir.resolve("tiny.tflite"), dense, true);
    TinyModels.writeOnnx(modelsDir.resolve("tiny.onnx"), dense);
    TinyModels.writeSavedModel(modelsDir.resolve("tiny_saved"), dense, false, "serving_default", "other");
    TinyModels.truncated(tflite, modelsDir.resolve("cut.tflite"), 200);
    TinyModels.garbage(modelsDir.resolve("noise.onnx"), 300, 3);
    db = TestDatabases.open(dir);
    registry = new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of()), ModelProbe::probe);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void dimsAndFormatAreDetectedInEveryRuntime() {
    for (String file : List.of("tiny.tflite", "tiny.onnx")) {
      ModelRecord m = registry.register(ModelSpec.of(file).withName("dims-" + file.replace('.', '-')).withSampleRate(12));
      assertEquals(6, m.vectorDim(), file);
      assertEquals(InputFormat.WAVEFORM.wireName(), m.inputFormat(), file);
    }
    ModelRecord sm = registry.register(ModelSpec.of("tiny_saved").withName("dims-saved").withSignatureName("other")
        .withOutputName(TinyModels.RELU).withSampleRate(12));
    assertEquals(ModelType.TF2_SAVED_MODEL.wireName(), sm.modelType());
    assertEquals(6, sm.vectorDim());
    assertEquals("other", sm.signatureName());
    assertEquals(TinyModels.RELU, sm.outputName());
  }

  @Test
  void contradictionsAreRefused() {
    Refusal e = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("tiny.onnx").withName("wrong-dim").withVectorDim(1280)));
    assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
    assertTrue(e.getMessage().startsWith("vector_dim 1280 contradicts the model's output embedding["), e.getMessage());
    assertTrue(e.getMessage().contains(",6] (6)"), e.getMessage());
    Refusal f = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("tiny.tflite").withName("wrong-format").withInputFormat(InputFormat.SPECTROGRAM)));
    assertTrue(f.getMessage().startsWith("input_format spectrogram contradicts the model's input"), f.getMessage());
    Refusal g = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("tiny.onnx").withName("wrong-output").withOutputName("logits")));
    assertTrue(g.getMessage().contains("logits"), g.getMessage());
    assertTrue(registry.find("wrong-dim").isEmpty());
  }

  @Test
  void brokenFilesGiveClearErrors() {
    for (String file : List.of("cut.tflite", "noise.onnx")) {
      Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of(file)), file);
      assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
      assertTrue(e.getMessage().contains(file), e.getMessage());
    }
  }

  @Test
  void scanFindsAllThreeKindsAndReportsBrokenOnes() {
    List<ScannedModel> scan = registry.scan();
    assertEquals(List.of("cut.tflite", "noise.onnx", "tiny.onnx", "tiny.tflite", "tiny_saved"),
        scan.stream().map(ScannedModel::filename).toList());
    assertNull(scan.get(0).inputFormat());
    assertTrue(scan.get(0).probeError() != null);
    assertEquals(ModelType.ONNX, scan.get(2).modelType());
    assertEquals(6, scan.get(2).vectorDim());
    assertEquals(ModelType.TFLITE, scan.get(3).modelType());
    assertEquals(InputFormat.WAVEFORM, scan.get(3).inputFormat());
    assertEquals(ModelType.TF2_SAVED_MODEL, scan.get(4).modelType());
  }
}
