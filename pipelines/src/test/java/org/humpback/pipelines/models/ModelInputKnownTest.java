package org.humpback.pipelines.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.humpback.pipelines.EncodingJobs;
import org.humpback.pipelines.cli.ModelsCommand;
import org.humpback.pipelines.jobs.EncodingRequests;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 6: a model's input is known before any audio is read. A waveform model whose rate or window cannot be
 * probed is refused with a message naming what is missing, or registered with what the user gives; real tiny TFLite
 * models ({@link TinyModels}), one with a dynamic input length as a converter writes it.
 */
class ModelInputKnownTest {

  @TempDir Path dir;
  Path modelsDir;
  Database db;
  ModelRegistry registry;

  @BeforeEach
  void setUp() throws IOException {
    modelsDir = Files.createDirectories(dir.resolve("models"));
    TinyModels.Dense dense = TinyModels.dense(400, 5, 11);
    TinyModels.writeTfLiteDynamicLength(modelsDir.resolve("dynamic.tflite"), dense);
    TinyModels.writeTfLite(modelsDir.resolve("fixed.tflite"), dense, true);
    db = TestDatabases.open(dir);
    registry = new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, List.of()), ModelProbe::probe);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void dynamicInputNeedsRateAndWindow() {
    Refusal noRate = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("dynamic.tflite")));
    assertEquals(Refusal.Kind.BAD_REQUEST, noRate.kind());
    assertTrue(noRate.getMessage().contains("sample rate") && noRate.getMessage().contains("--sample-rate")
        && noRate.getMessage().contains("sample_rate"), noRate.getMessage());
    Refusal noWindow = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("dynamic.tflite").withSampleRate(8000)));
    assertTrue(noWindow.getMessage().contains("input[1,-1] has no fixed length")
        && noWindow.getMessage().contains("--window-s") && noWindow.getMessage().contains("window_seconds"),
        noWindow.getMessage());
    assertTrue(registry.list().isEmpty(), "nothing is registered on a refusal");

    ModelRecord m = registry.register(ModelSpec.of("dynamic.tflite").withSampleRate(8000).withWindowSeconds(0.05));
    assertEquals(8000, m.sampleRate());
    assertEquals(0.05, m.windowSeconds());
    // The registered input is what every job of this model is fed: 0.05 s at 8 kHz, the 400 values the graph computes.
    FrontEndConfig fe = EncodingJobs.frontEnd(FrontEndConfig.defaults(), m, null, null, null);
    assertEquals(400, EncodingJobs.valuesPerWindow(fe));
  }

  @Test
  void fixedInputGivesTheWindowAndRefusesAContradiction() {
    Refusal noRate = assertThrows(Refusal.class, () -> registry.register(ModelSpec.of("fixed.tflite")));
    assertTrue(noRate.getMessage().contains("--sample-rate"), noRate.getMessage());
    Refusal wrong = assertThrows(Refusal.class,
        () -> registry.register(ModelSpec.of("fixed.tflite").withSampleRate(8000).withWindowSeconds(5.0)));
    assertTrue(wrong.getMessage().contains("40000 samples, but the input") && wrong.getMessage().contains("takes 400"),
        wrong.getMessage());

    ModelRecord m = registry.register(ModelSpec.of("fixed.tflite").withSampleRate(8000));
    assertEquals(0.05, m.windowSeconds(), 1e-12, "the input's 400 samples at 8 kHz");
    // A job over this model is accepted as is, and one asking for another window is refused when it is made.
    EncodingRequests.Plan plan = EncodingRequests.plan(m, FrontEndConfig.defaults(), null, null, null);
    assertEquals(0.05, plan.frontEnd().windowSeconds(), 1e-12);
    Refusal misfit = assertThrows(Refusal.class,
        () -> EncodingRequests.plan(m, FrontEndConfig.defaults(), null, 1.0, null));
    assertEquals(Refusal.Kind.INVALID, misfit.kind());
    assertTrue(misfit.getMessage().contains("window has 8000 values"), misfit.getMessage());

    Refusal update = assertThrows(Refusal.class,
        () -> registry.update(m.name(), ModelSpec.unchanged().withWindowSeconds(2.0)));
    assertTrue(update.getMessage().contains("takes 400"), update.getMessage());
  }

  @Test
  void modelsAddAsksForWhatIsMissing() {
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", dir.toString(),
        "HUMPBACK_MODELS_DIR", modelsDir.toString()), dir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(1, ModelsCommand.run(new String[] {"add", "dynamic.tflite", "--sample-rate", "8000"}, settings, dir, o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("give the window it was trained on (--window-s"), err::toString);
    assertEquals(0, ModelsCommand.run(new String[] {"add", "dynamic.tflite", "--sample-rate", "8000", "--window-s", "0.05"},
        settings, dir, o, e));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("8000 Hz, 0.05 s windows"), out::toString);
  }
}
