package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.humpback.registry.cli.DbCommand;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.LocalPostgres;
import org.humpback.registry.db.PostgresUrl;
import org.humpback.registry.db.RegistryCopy;
import org.humpback.rest.TestAudio;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: {@code db migrate-to} on a registry the demo made. {@code ./humpback demo} (a separate JVM, the product's
 * paths: import, encode through the job table, cluster) fills an SQLite registry from recordings in two folders with a
 * real tiny TFLite model; the API adds metadata. Then the registry is copied into an empty PostgreSQL database: every
 * table's row count and checksum are equal, and the API on the new database answers every list and item (audio files
 * with their metadata, models, embedding sets, processing and clustering jobs, clusters, assignments, table counts)
 * byte for byte as it did on SQLite.
 */
class MigrateDemoRegistryTest {

  @TempDir Path home;

  @Test
  void theApiAnswersTheSameAfterTheDemosRegistryMovesToPostgres() throws Exception {
    Assumptions.assumeTrue(LocalPostgres.findBinaries().isPresent(),
        () -> "PostgreSQL tests skipped: " + LocalPostgres.whereLooked());
    // A waveform model of 0.5 s at 16 kHz ([-1, 8000] -> dense -> [-1, 8]); new jobs' defaults fit it.
    Path model = TinyModels.writeTfLite(Files.createDirectories(home.resolve("models")).resolve("tiny.tflite"),
        TinyModels.dense(8000, 8, 7), true);
    Map<String, String> env = new HashMap<>(Map.of(
        "HUMPBACK_WINDOW_SIZE_SECONDS", "0.5",
        "HUMPBACK_TARGET_SAMPLE_RATE", "16000"));
    // A waveform model's rate is given at registration (its file does not say it).
    HumpbackProcess add = HumpbackProcess.start("models-add", home, env, "models", "add", model.toString(),
        "--name", "tiny", "--sample-rate", "16000", "--default");
    assertTrue(add.process.waitFor(2, TimeUnit.MINUTES), "models add did not finish");
    assertEquals(0, add.process.exitValue(), () -> String.join("\n", add.output()) + "\n" + add.logTail());
    for (int i = 0; i < 6; i++) {
      Path wav = home.resolve("recordings/" + (i < 3 ? "north" : "south") + "/song-" + i + ".wav");
      Files.createDirectories(wav.getParent());
      Files.write(wav, TestAudio.wav(4.0, 16_000, 150 + 90 * i));
    }
    HumpbackProcess demo = HumpbackProcess.start("demo", home, env, "demo",
        home.resolve("recordings/north").toString(), home.resolve("recordings/south").toString());
    assertTrue(demo.process.waitFor(5, TimeUnit.MINUTES), "the demo did not finish");
    assertEquals(0, demo.process.exitValue(), () -> String.join("\n", demo.output()) + "\n" + demo.logTail());

    env.put("HUMPBACK_HOME", home.toString());
    env.put("HUMPBACK_PORT", "0");
    HumpbackSettings sqlite = HumpbackSettings.fromEnv(env, home);
    Map<String, String> before;
    try (ApiCommand.Running api = ApiCommand.start(sqlite, false)) {
      ApiClient client = new ApiClient("http://127.0.0.1:" + api.server().port());
      JsonNode audio = client.getJson("/audio/?limit=1000");
      assertEquals(6, audio.size(), audio::toString);
      client.send("PUT", "/audio/" + audio.get(0).get("id").asText() + "/metadata", "{\"tag_data\": {\"tag\": \"A1\"},"
          + " \"group_composition\": {\"adults\": 2, \"calves\": 1}, \"prey_density_proxy\": {\"krill\": 0.7}}", 200);
      before = answers(client);
    }
    assertTrue(before.get("/clustering/jobs?limit=1000").contains("\"complete\""), before::toString);
    assertTrue(before.keySet().stream().anyMatch(p -> p.endsWith("/assignments?limit=1000")), before::toString);

    try (LocalPostgres pg = LocalPostgres.start(false)) {
      PostgresUrl url = pg.createDatabase("migrated");
      String target = url.jdbcUrl() + "?user=" + url.user();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = DbCommand.run(new String[] {"migrate-to", target}, sqlite,
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      String printed = out.toString(StandardCharsets.UTF_8);
      System.out.print(printed);
      assertEquals(0, code, () -> printed + err.toString(StandardCharsets.UTF_8));
      for (String table : RegistryCopy.tables()) {
        String line = printed.lines().filter(l -> l.startsWith(table + " ")).findFirst().orElseThrow(() ->
            new AssertionError("no report line for " + table + ":\n" + printed));
        assertTrue(line.endsWith("equal"), line);
        if (!table.equals("audio_metadata") && !table.equals("app_state")) {
          assertTrue(!line.matches(table + "\\s+0\\s.*"), "the demo left " + table + " empty: " + line);
        }
      }

      Map<String, String> after;
      try (ApiCommand.Running api = ApiCommand.start(sqlite.withDatabaseUrl(target), false)) {
        assertEquals(Database.Vendor.POSTGRESQL, api.db().vendor());
        after = answers(new ApiClient("http://127.0.0.1:" + api.server().port()));
      }
      assertEquals(before.keySet(), after.keySet());
      for (String path : before.keySet()) {
        assertEquals(before.get(path), after.get(path), path);
      }
      System.out.printf("the API answered %d lists and items identically on SQLite and on PostgreSQL%n", before.size());
    }
  }

  /** Every list the API has over the registry, and each item in them, by path. */
  private static Map<String, String> answers(ApiClient client) {
    Map<String, String> got = new LinkedHashMap<>();
    for (String list : List.of("/audio/?limit=1000", "/admin/models", "/admin/tables", "/processing/jobs?limit=1000",
        "/processing/embedding-sets?limit=1000", "/clustering/jobs?limit=1000")) {
      got.put(list, client.get(list));
    }
    for (JsonNode a : ApiClient.json(got.get("/audio/?limit=1000"))) {
      String id = a.get("id").asText();
      got.put("/audio/" + id, client.get("/audio/" + id));
    }
    for (JsonNode j : ApiClient.json(got.get("/processing/jobs?limit=1000"))) {
      got.put("/processing/jobs/" + j.get("id").asText(), client.get("/processing/jobs/" + j.get("id").asText()));
    }
    for (JsonNode s : ApiClient.json(got.get("/processing/embedding-sets?limit=1000"))) {
      String path = "/processing/embedding-sets/" + s.get("id").asText();
      got.put(path, client.get(path));
    }
    for (JsonNode j : ApiClient.json(got.get("/clustering/jobs?limit=1000"))) {
      String job = "/clustering/jobs/" + j.get("id").asText();
      got.put(job, client.get(job));
      got.put(job + "/clusters", client.get(job + "/clusters"));
      for (JsonNode c : ApiClient.json(got.get(job + "/clusters"))) {
        String path = "/clustering/clusters/" + c.get("id").asText() + "/assignments?limit=1000";
        got.put(path, client.get(path));
      }
    }
    return got;
  }
}
