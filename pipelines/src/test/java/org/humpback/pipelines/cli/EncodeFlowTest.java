package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.db.Database;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encode/demo flow against a fresh home: model seeded from HUMPBACK_MODEL_PATH, real corpus audio. */
class EncodeFlowTest {

  @Test
  void importsEncodesPrintsAndSkipsOnTheSecondRun(@TempDir Path home) throws Exception {
    Path model = SharedCorpus.yamnet();
    Path folder = home.resolve("recordings");
    Files.createDirectories(folder);
    Files.copy(SharedCorpus.audio("humpback/humpback-moo-nps.ogg"), folder.resolve("moo.ogg"));
    Files.writeString(folder.resolve("notes.txt"), "not audio, not picked from a folder");
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_MODEL_PATH", model.toString(),
        "HUMPBACK_ALLOWED_MODEL_ROOTS", model.getParent().toString()), home);
    EncodeFlow.Request req = new EncodeFlow.Request(
        List.of(folder, SharedCorpus.audio("humpback/glacier-bay-humpback.ogg"), home.resolve("missing.wav")),
        null, null, null, "drop", null, "direct", null, null, null, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CliContext ctx = new CliContext(settings,
        Database.open(settings.databaseUrl(), settings.databaseBaseDir(), 2, Duration.ofSeconds(10)))) {
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      List<EncodeFlow.FileLine> lines = EncodeFlow.run(ctx, req, ps, ps);
      EncodeFlow.print(lines, ps);
      assertEquals(3, lines.size(), lines.toString());
      EncodeFlow.FileLine missing = lines.get(0);
      assertEquals("FAILED", missing.status());
      assertTrue(missing.error().contains("missing.wav"), missing.error());
      for (EncodeFlow.FileLine l : lines.subList(1, 3)) {
        assertEquals("OK", l.status(), l.toString());
        assertNull(l.error());
        assertEquals(1024, l.dim()); // the YAMNet preset's embedding tensor
        EmbeddingParquet.Contents c = EmbeddingParquet.read(l.parquetPath());
        assertEquals(l.windows(), c.rows().size());
        assertTrue(c.metadata().frontEndConfigJson().contains("\"last_window\":\"drop\""));
        assertTrue(l.parquetPath().startsWith(home.resolve("data/embeddings/yamnet").toString()), l.parquetPath());
      }
      assertTrue(Files.exists(home.resolve("data/humpback.db")));

      List<EncodeFlow.FileLine> again = EncodeFlow.run(ctx, req, ps, ps);
      assertEquals(List.of("FAILED", "SKIPPED", "SKIPPED"), again.stream().map(EncodeFlow.FileLine::status).toList());
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("3 files: 2 ok (0 already encoded, skipped), 1 failed"), printed);
  }

  @Test
  void argumentsAreCheckedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CliArgs.parse(new String[] {"a.wav", "--window"}, Set.of("window-s"), Set.of()));
    assertTrue(e.getMessage().contains("--window"), e.getMessage());
    CliArgs a = CliArgs.parse(new String[] {"a.wav", "--hop-s=0.5", "--parallelism", "2", "b"}, Set.of("hop-s", "parallelism"), Set.of());
    assertEquals(List.of("a.wav", "b"), a.positional);
    assertEquals(0.5, a.decimal("hop-s", null));
    assertEquals(2, a.integer("parallelism", null));
    assertThrows(IllegalArgumentException.class,
        () -> CliArgs.parse(new String[] {"--parallelism", "two"}, Set.of("parallelism"), Set.of()).integer("parallelism", null));
    assertEquals(2, EncodeCommand.run(new String[] {"--no-such-option"}));
  }
}
