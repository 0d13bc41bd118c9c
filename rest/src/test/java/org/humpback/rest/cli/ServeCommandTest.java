package org.humpback.rest.cli;

import static org.humpback.rest.cli.ServeClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.rest.Json;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./humpback serve} end to end: settings from {@code HUMPBACK_*} variables, migration, the API and the
 * in-process worker running a real (tiny) TFLite model over an uploaded recording to a listed embedding set.
 */
class ServeCommandTest {

  @TempDir Path home;

  @Test
  void uploadEncodeThroughTheInProcessWorkerThenCluster() throws Exception {
    Path models = Files.createDirectories(home.resolve("models"));
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_PORT", "0",
        "HUMPBACK_STORAGE_ROOT", home.resolve("data").toString(),
        "HUMPBACK_MODELS_DIR", models.toString(),
        "HUMPBACK_DATABASE_URL", "sqlite+aiosqlite:///" + home.resolve("data/humpback.db")), home);
    try (ApiCommand.Running running = ApiCommand.start(settings, true)) {
      ServeClient api = new ServeClient(running.server().port());
      // A waveform model of 0.5 s at 16 kHz: [-1, 8000] -> dense -> [-1, 8].
      TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
      JsonNode model = json(api.send("POST", "/admin/models", "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", "
          + "\"sample_rate\": 16000, \"window_seconds\": 0.5, \"is_default\": true}"), 201);
      assertEquals(8, model.get("vector_dim").asInt());

      String[] sets = new String[2];
      for (int i = 0; i < 2; i++) {
        String audioId = api.uploadId(org.humpback.rest.TestAudio.wav(3.0, 16_000, 200 + 300 * i));
        JsonNode job = json(api.send("POST", "/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}"), 201);
        JsonNode done = api.awaitFinal("/processing/jobs/" + job.get("id").asText());
        assertEquals("complete", done.get("status").asText(), done::toString);
        assertEquals(1.0, done.get("progress").asDouble(), 1e-9);
        JsonNode setList = json(api.send("GET", "/processing/embedding-sets", null), 200);
        JsonNode set = null;
        for (JsonNode s : setList) {
          if (s.get("audio_file_id").asText().equals(audioId)) {
            set = s;
          }
        }
        assertTrue(set != null, "embedding set of " + audioId + " not listed: " + setList);
        assertEquals(8, set.get("vector_dim").asInt());
        assertEquals(done.get("encoding_signature").asText(), set.get("encoding_signature").asText());
        // parquet_path is relative to the storage root.
        assertTrue(Files.isRegularFile(home.resolve("data").resolve(set.get("parquet_path").asText())), set::toString);
        sets[i] = set.get("id").asText();
      }
      // Clustering over the two sets, run by the in-process clustering worker.
      JsonNode cj = json(api.send("POST", "/clustering/jobs", "{\"embedding_set_ids\": [\"" + sets[0] + "\", \""
          + sets[1] + "\"], \"parameters\": {\"use_umap\": false, \"min_cluster_size\": 2}}"), 201);
      JsonNode cdone = api.awaitFinal("/clustering/jobs/" + cj.get("id").asText());
      assertEquals("complete", cdone.get("status").asText(), cdone::toString);
      assertTrue(cdone.get("metrics").isObject(), cdone::toString);
      JsonNode clusters = json(api.send("GET", "/clustering/jobs/" + cj.get("id").asText() + "/clusters", null), 200);
      assertTrue(clusters.size() >= 1, clusters::toString);
      int assigned = 0;
      for (JsonNode c : clusters) {
        JsonNode page = json(api.send("GET", "/clustering/clusters/" + c.get("id").asText()
            + "/assignments?limit=1000", null), 200);
        assertEquals(c.get("size").asInt(), page.size(), c::toString);
        assigned += page.size();
      }
      assertEquals(12, assigned, "every window of both sets (2 x 3 s / 0.5 s) is assigned once");
    }
  }

  /**
   * Issue 15 item 6: a set whose Parquet file was truncated or deleted is reported as such, and posting its job again
   * encodes it again (never {@code skipped: true} over a file that does not open).
   */
  @Test
  void corruptOrMissingParquetIsReportedAndEncodedAgain() throws Exception {
    Path models = Files.createDirectories(home.resolve("models"));
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_PORT", "0",
        "HUMPBACK_STORAGE_ROOT", home.resolve("data").toString(),
        "HUMPBACK_MODELS_DIR", models.toString()), home);
    try (ApiCommand.Running running = ApiCommand.start(settings, true)) {
      ServeClient api = new ServeClient(running.server().port());
      TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
      json(api.send("POST", "/admin/models", "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", "
          + "\"sample_rate\": 16000, \"window_seconds\": 0.5, \"is_default\": true}"), 201);
      String audioId = api.uploadId(org.humpback.rest.TestAudio.wav(2.0, 16_000, 440));
      String jobBody = "{\"audio_file_id\": \"" + audioId + "\"}";
      JsonNode first = api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs", jobBody), 201)
          .get("id").asText());
      assertEquals("complete", first.get("status").asText(), first::toString);
      JsonNode set = json(api.send("GET", "/processing/embedding-sets", null), 200).get(0);
      String setPath = "/processing/embedding-sets/" + set.get("id").asText();
      Path parquet = home.resolve("data").resolve(set.get("parquet_path").asText());
      json(api.send("GET", setPath, null), 200);

      for (String fault : new String[] {"truncated", "deleted"}) {
        if (fault.equals("truncated")) {
          byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(parquet), 100);
          Files.write(parquet, head);
        } else {
          Files.delete(parquet);
        }
        HttpResponse<String> broken = api.send("GET", setPath, null);
        assertEquals(409, broken.statusCode(), broken::body);
        String detail = Json.MAPPER.readTree(broken.body()).get("detail").asText();
        assertTrue(detail.contains(fault.equals("truncated") ? "unreadable" : "missing"), detail);
        assertTrue(!detail.contains(home.toString()), detail);

        JsonNode again = api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs", jobBody),
            201).get("id").asText());
        assertEquals("complete", again.get("status").asText(), again::toString);
        assertTrue(!again.get("skipped").asBoolean(), () -> fault + " file must be encoded again: " + again);
        assertEquals(4, org.humpback.transforms.beam.EmbeddingParquet.read(parquet.toString()).rows().size(), fault);
        json(api.send("GET", setPath, null), 200);
      }
      JsonNode sets = json(api.send("GET", "/processing/embedding-sets", null), 200);
      assertEquals(1, sets.size(), "the set is repaired in place, not duplicated: " + sets);
      // Unharmed, the same job is skipped as before.
      JsonNode skipped = api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs", jobBody),
          201).get("id").asText());
      assertTrue(skipped.get("skipped").asBoolean(), skipped::toString);
    }
  }
}
