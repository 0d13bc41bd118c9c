package org.humpback.registry.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

/** Registration probing the real models of ../shared/corpus/models (skipped when absent). */
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

  /** A registry whose models folder is a temp folder and whose allowed root is the shared corpus. */
  private ModelRegistry registry() {
    Path corpus = SharedCorpus.model("");
    return new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of(corpus)), ModelProbe::probe);
  }

  @Test
  void yamnetTfliteDimsAreDetectedAndContradictionsRefused() {
    Path yamnet = SharedCorpus.model("yamnet/yamnet.tflite");
    ModelRegistry registry = registry();
    RegistryException e = assertThrows(RegistryException.class,
        () -> registry.register(ModelSpec.of(yamnet.toString()).withVectorDim(1280)));
    assertEquals(RegistryException.Kind.BAD_REQUEST, e.kind());
    // The preset selects YAMNet's 1024-d embedding, an intermediate tensor of this .tflite.
    assertTrue(e.getMessage().startsWith("vector_dim 1280 contradicts the model's output "
        + "yamnet_frames/global_average_pooling2d/Mean[1,1024] (1024)"), e.getMessage());

    ModelRecord m = registry.register(ModelSpec.of(yamnet.toString()));
    assertEquals("yamnet", m.name());
    assertEquals(1024, m.vectorDim());
    assertEquals("yamnet_frames/global_average_pooling2d/Mean", m.outputName());
    assertEquals(InputFormat.WAVEFORM, m.inputFormat());
    assertEquals(ModelType.TFLITE, m.modelType());
    assertEquals(16000, m.sampleRate(), "from the YAMNet preset");
    assertTrue(m.isDefault());
    assertEquals(1024, registry.describe("yamnet").vectorDim());
    // The class scores stay one option away.
    assertEquals(521, registry.update("yamnet", ModelSpec.unchanged().withOutputName("Identity")).vectorDim());
  }

  @Test
  void truncatedModelFileGivesAClearError() throws IOException {
    Path yamnet = SharedCorpus.model("yamnet/yamnet.tflite");
    Path truncated = modelsDir.resolve("truncated.tflite");
    try (InputStream in = Files.newInputStream(yamnet)) {
      Files.write(truncated, in.readNBytes(20_000));
    }
    RegistryException e = assertThrows(RegistryException.class, () -> registry().register(ModelSpec.of("truncated.tflite")));
    assertEquals(RegistryException.Kind.BAD_REQUEST, e.kind());
    assertTrue(e.getMessage().contains("truncated.tflite"), e.getMessage());

    Files.writeString(modelsDir.resolve("text.onnx"), "this is not an ONNX protobuf");
    RegistryException onnx = assertThrows(RegistryException.class, () -> registry().register(ModelSpec.of("text.onnx")));
    assertEquals(RegistryException.Kind.BAD_REQUEST, onnx.kind());
    assertTrue(onnx.getMessage().contains("text.onnx"), onnx.getMessage());
  }

  @Test
  void savedModelSignatureIsRequiredWhenAmbiguous() {
    Path koogu = SharedCorpus.model("koogu-blue-whale/blue_whale_24");
    ModelRegistry registry = registry();
    RegistryException e = assertThrows(RegistryException.class, () -> registry.register(ModelSpec.of(koogu.toString())));
    assertTrue(e.getMessage().contains("with_transformation"), e.getMessage());
    ModelRecord m = registry.register(ModelSpec.of(koogu.toString()).withName("koogu_blue").withSignatureName("with_transformation"));
    assertEquals(ModelType.TF2_SAVED_MODEL, m.modelType());
    assertEquals(2, m.vectorDim());
    assertEquals(250, m.sampleRate(), "from the Koogu preset");
    assertEquals("with_transformation", m.signatureName());
  }
}
