package org.humpback.pipelines.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
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
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration probing the real models: the shipped YAMNet, and those of ../shared/corpus/models (skipped when absent). */
class ModelRegistryRealModelsTest {

  @TempDir Path dir;
  Path modelsDir;
  Database db;

  @BeforeEach
  void open() throws IOException {
    modelsDir = Files.createDirectories(dir.resolve("models"));
    db = TestDatabases.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  /**
   * A registry whose models folder is a temp folder and whose allowed roots are the project's shipped
   * models and the shared corpus (which a fresh clone lacks: the tests that need it skip before this).
   */
  private ModelRegistry registry() {
    Path shipped = SharedCorpus.yamnet().getParent().getParent();
    Path corpus = SharedCorpus.root().resolve("corpus/models");
    return new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of(shipped, corpus)), ModelProbe::probe);
  }

  @Test
  void yamnetTfliteDimsAreDetectedAndContradictionsRefused() {
    Path yamnet = SharedCorpus.yamnet();
    ModelRegistry registry = registry();
    Refusal e = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of(yamnet.toString()).withVectorDim(1280)));
    assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
    // The preset selects YAMNet's 1024-d embedding, an intermediate tensor of this .tflite.
    assertTrue(e.getMessage().startsWith("vector_dim 1280 contradicts the model's output "
        + "yamnet_frames/global_average_pooling2d/Mean[1,1024] (1024)"), e.getMessage());

    ModelRecord m = registry.register(ModelSpec.of(yamnet.toString()));
    assertEquals("yamnet", m.name());
    assertEquals(1024, m.vectorDim());
    assertEquals("yamnet_frames/global_average_pooling2d/Mean", m.outputName());
    assertEquals(InputFormat.WAVEFORM.wireName(), m.inputFormat());
    assertEquals(ModelType.TFLITE.wireName(), m.modelType());
    assertEquals(16000, m.sampleRate(), "from the YAMNet preset");
    assertTrue(m.isDefault());
    assertEquals(1024, registry.describe("yamnet").vectorDim());
    // The class scores stay one option away.
    assertEquals(521, registry.update("yamnet", ModelSpec.unchanged().withOutputName("Identity")).vectorDim());
  }

  @Test
  void truncatedModelFileGivesAClearError() throws IOException {
    Path yamnet = SharedCorpus.yamnet();
    Path truncated = modelsDir.resolve("truncated.tflite");
    try (InputStream in = Files.newInputStream(yamnet)) {
      Files.write(truncated, in.readNBytes(20_000));
    }
    Refusal e = assertThrows(Refusal.class, () -> registry().register(ModelSpec.of("truncated.tflite")));
    assertEquals(Refusal.Kind.BAD_REQUEST, e.kind());
    assertTrue(e.getMessage().contains("truncated.tflite"), e.getMessage());

    Files.writeString(modelsDir.resolve("text.onnx"), "this is not an ONNX protobuf");
    Refusal onnx = assertThrows(Refusal.class, () -> registry().register(ModelSpec.of("text.onnx")));
    assertEquals(Refusal.Kind.BAD_REQUEST, onnx.kind());
    assertTrue(onnx.getMessage().contains("text.onnx"), onnx.getMessage());
  }

  @Test
  void savedModelSignatureIsRequiredWhenAmbiguous() {
    Path koogu = SharedCorpus.model("koogu-blue-whale/blue_whale_24");
    ModelRegistry registry = registry();
    Refusal e = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of(koogu.toString())));
    assertTrue(e.getMessage().contains("with_transformation"), e.getMessage());
    ModelRecord m = registry.register(ModelSpec.of(koogu.toString()).withName("koogu_blue").withSignatureName("with_transformation"));
    assertEquals(ModelType.TF2_SAVED_MODEL.wireName(), m.modelType());
    assertEquals(2, m.vectorDim());
    assertEquals(250, m.sampleRate(), "from the Koogu preset");
    assertEquals("with_transformation", m.signatureName());
  }
}
