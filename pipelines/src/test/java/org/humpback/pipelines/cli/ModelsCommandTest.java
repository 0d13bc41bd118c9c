package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models command end to end on a real database and the real YAMNet model (skipped when absent). */
class ModelsCommandTest {

  @TempDir Path home;
  HumpbackSettings settings;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() {
    settings = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString()), home);
  }

  int run(String... args) {
    out.reset();
    err.reset();
    return ModelsCommand.run(args, settings, home, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrors() {
    assertEquals(2, run());
    assertTrue(err().contains("usage: humpback models"));
    assertEquals(2, run("frobnicate"));
    assertTrue(err().contains("unknown subcommand 'frobnicate'"), err());
    assertEquals(2, run("add"));
    assertTrue(err().contains("add needs a model path"), err());
    assertEquals(2, run("add", "x.tflite", "--vector-dim", "many"));
    assertTrue(err().contains("Invalid --vector-dim: 'many'"), err());
    assertEquals(0, run("--help"));
    assertEquals(1, run("add", "x.tflite", "--input-format", "picture"));
    assertTrue(err().contains("Invalid input_format: 'picture'"), err());
  }

  @Test
  void databaseThatCannotOpenGivesAMessage() throws IOException {
    Files.writeString(home.resolve("blocker"), "a file where a folder is needed");
    settings = settings.withDatabaseUrl("jdbc:sqlite:" + home.resolve("blocker/sub/h.db"));
    assertEquals(1, run("list"));
    assertTrue(err().startsWith("humpback models: Cannot create the directory of database"), err());
  }

  @Test
  void emptyInstallation() {
    assertEquals(0, run("list"));
    assertTrue(out().startsWith("no models registered"), out());
    assertEquals(0, run("scan"));
    assertTrue(out().startsWith("no models in"), out());
    assertEquals(1, run("rm", "ghost"));
    assertEquals("humpback models: No model named 'ghost' is registered\n", err());
    assertTrue(Files.exists(home.resolve("data/humpback.db")), "database created under HUMPBACK_HOME/data");
  }

  @Test
  void fullCycleWithARealModel() throws IOException {
    Path models = Files.createDirectories(home.resolve("models"));
    Files.copy(SharedCorpus.yamnet(), models.resolve("yamnet.tflite"));

    // First start: the shipped model becomes the default.
    assertEquals(0, run("list"));
    // The YAMNet preset's 1024-d embedding (an intermediate tensor of this .tflite).
    assertTrue(out().lines().anyMatch(l -> l.startsWith("*") && l.contains("yamnet") && l.contains("1024")), out());

    assertEquals(0, run("scan", "--json"));
    assertTrue(out().contains("\"filename\" : \"yamnet.tflite\"") && out().contains("\"registered\" : true"), out());

    assertEquals(1, run("add", "models/yamnet.tflite", "--name", "yam2", "--vector-dim", "1280"));
    assertTrue(err().contains("vector_dim 1280 contradicts the model's output"), err());
    // YAMNet's input is 15,600 samples at 16 kHz (0.975 s): a 0.96-s window would fail on every window, so it is refused.
    assertEquals(1, run("add", "models/yamnet.tflite", "--name", "yam2", "--window-s", "0.96", "--output", "Identity"));
    assertTrue(err().contains("15360 samples, but the input") && err().contains("takes 15600"), err());
    assertEquals(0, run("add", "models/yamnet.tflite", "--name", "yam2", "--display-name", "YAMNet scores", "--window-s", "0.975",
        "--output", "Identity"));
    assertTrue(out().startsWith("registered yam2: tflite, waveform input, 521-d vectors"), out());

    assertEquals(0, run("show", "yam2"));
    assertTrue(out().contains("display_name") && out().contains("YAMNet scores"), out());
    assertTrue(out().contains("inputs:") && out().contains("outputs:") && out().contains("probed.vector_dim      521"), out());
    assertTrue(out().contains("embedding_candidate    yamnet_frames/global_average_pooling2d/Mean float32 [1, 1024]"), out());

    assertEquals(0, run("set-default", "yam2"));
    assertEquals(0, run("list"));
    assertTrue(out().lines().anyMatch(l -> l.startsWith("*") && l.contains("yam2")), out());
    assertEquals(1, out().lines().filter(l -> l.startsWith("*")).count());

    assertEquals(0, run("rm", "yam2"));
    assertEquals(1, run("add", "../outside.tflite"));
    assertTrue(err().contains("outside the models folder"), err());
  }
}
