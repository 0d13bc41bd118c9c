package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  private final HttpClient http = HttpClient.newHttpClient();

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
      String base = "http://127.0.0.1:" + running.server().port();
      // A waveform model of 0.5 s at 16 kHz: [-1, 8000] -> dense -> [-1, 8].
      TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
      JsonNode model = json(send(base, "POST", "/admin/models", "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", "
          + "\"sample_rate\": 16000, \"window_seconds\": 0.5, \"is_default\": true}"), 201);
      assertEquals(8, model.get("vector_dim").asInt());

      String[] sets = new String[2];
      for (int i = 0; i < 2; i++) {
        String audioId = upload(base, org.humpback.rest.TestAudio.wav(3.0, 16_000, 200 + 300 * i));
        JsonNode job = json(send(base, "POST", "/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}"), 201);
        JsonNode done = awaitFinal(base, "/processing/jobs/" + job.get("id").asText());
        assertEquals("complete", done.get("status").asText(), done::toString);
        assertEquals(1.0, done.get("progress").asDouble(), 1e-9);
        JsonNode setList = json(send(base, "GET", "/processing/embedding-sets", null), 200);
        JsonNode set = null;
        for (JsonNode s : setList) {
          if (s.get("audio_file_id").asText().equals(audioId)) {
            set = s;
          }
        }
        assertTrue(set != null, "embedding set of " + audioId + " not listed: " + setList);
        assertEquals(8, set.get("vector_dim").asInt());
        assertEquals(done.get("encoding_signature").asText(), set.get("encoding_signature").asText());
        assertTrue(Files.isRegularFile(Path.of(set.get("parquet_path").asText())));
        sets[i] = set.get("id").asText();
      }
      // Clustering over the two sets, run by the in-process clustering worker.
      JsonNode cj = json(send(base, "POST", "/clustering/jobs", "{\"embedding_set_ids\": [\"" + sets[0] + "\", \""
          + sets[1] + "\"], \"parameters\": {\"use_umap\": false, \"min_cluster_size\": 2}}"), 201);
      JsonNode cdone = awaitFinal(base, "/clustering/jobs/" + cj.get("id").asText());
      assertEquals("complete", cdone.get("status").asText(), cdone::toString);
      assertTrue(cdone.get("metrics").isObject(), cdone::toString);
      JsonNode clusters = json(send(base, "GET", "/clustering/jobs/" + cj.get("id").asText() + "/clusters", null), 200);
      assertTrue(clusters.size() >= 1, clusters::toString);
      int assigned = 0;
      for (JsonNode c : clusters) {
        JsonNode page = json(send(base, "GET", "/clustering/clusters/" + c.get("id").asText()
            + "/assignments?limit=1000", null), 200);
        assertEquals(c.get("size").asInt(), page.size(), c::toString);
        assigned += page.size();
      }
      assertEquals(12, assigned, "every window of both sets (2 x 3 s / 0.5 s) is assigned once");
    }
  }

  private JsonNode awaitFinal(String base, String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      JsonNode job = json(send(base, "GET", path, null), 200);
      String status = job.get("status").asText();
      if (!status.equals("queued") && !status.equals("running")) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job still " + status + " after 90 s: " + job);
      }
      Thread.sleep(200);
    }
  }

  private HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String upload(String base, byte[] wav) throws Exception {
    String boundary = "b" + System.nanoTime();
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.wav\"\r\n\r\n")
        .getBytes();
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes();
    byte[] all = new byte[head.length + wav.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(wav, 0, all, head.length, wav.length);
    System.arraycopy(tail, 0, all, head.length + wav.length, tail.length);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/audio/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(all)).build(), HttpResponse.BodyHandlers.ofString());
    return json(r, 201).get("id").asText();
  }

  private static JsonNode json(HttpResponse<String> r, int expectedStatus) throws Exception {
    assertEquals(expectedStatus, r.statusCode(), r::body);
    return Json.MAPPER.readTree(r.body());
  }
}
