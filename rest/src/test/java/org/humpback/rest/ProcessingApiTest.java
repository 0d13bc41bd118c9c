package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.humpback.registry.dao.EmbeddingSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessingApiTest {

  @TempDir static Path root;
  static TestApi api;

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
    api.insertModel("tiny-default", 8, true);
    api.insertModel("tiny-other", 4, false);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void createWithDefaultModelAndDefaults() {
    String audioId = api.uploadId(100);
    TestApi.Resp r = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}");
    assertEquals(201, r.status(), r::toString);
    JsonNode j = r.json();
    for (String field : List.of("id", "audio_file_id", "status", "encoding_signature", "model_version",
        "window_size_seconds", "target_sample_rate", "feature_config", "error_message", "created_at", "updated_at",
        "skipped", "progress")) {
      assertTrue(j.has(field), "missing " + field + " in " + j);
    }
    assertEquals("queued", j.get("status").asText());
    assertEquals("tiny-default", j.get("model_version").asText());
    // Left out of the request, the window and rate are the model's own (the tiny model declares 1 s at 1 kHz); the
    // seed's 5.0 s / 32 kHz apply to models that declare none.
    assertEquals(1.0, j.get("window_size_seconds").asDouble());
    assertEquals(1000, j.get("target_sample_rate").asInt());
    assertEquals(64, j.get("encoding_signature").asText().length());
    assertEquals(0.0, j.get("progress").asDouble());
    assertFalse(j.get("skipped").asBoolean());
    assertTrue(j.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), j.get("created_at").asText());

    // The same request again returns the active job rather than queueing a second one.
    TestApi.Resp again = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}");
    assertEquals(j.get("id").asText(), again.json().get("id").asText());

    TestApi.Resp got = api.get("/processing/jobs/" + j.get("id").asText());
    assertEquals(200, got.status());
    assertEquals(audioId, got.json().get("audio_file_id").asText());
    assertTrue(api.get("/processing/jobs").json().toString().contains(j.get("id").asText()));
  }

  @Test
  void explicitModelAndParametersChangeTheSignature() {
    String audioId = api.uploadId(110);
    // The tiny model takes 1,000 samples: 0.5 s at 2 kHz fits it as 1 s at 1 kHz does.
    JsonNode a = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"model_version\": "
        + "\"tiny-other\", \"window_size_seconds\": 0.5, \"target_sample_rate\": 2000}").json();
    assertEquals("tiny-other", a.get("model_version").asText(), a::toString);
    assertEquals(0.5, a.get("window_size_seconds").asDouble());
    assertEquals(2000, a.get("target_sample_rate").asInt());
    JsonNode b = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"model_version\": "
        + "\"tiny-other\", \"window_size_seconds\": 0.5, \"target_sample_rate\": 2000, "
        + "\"feature_config\": {\"n_mels\": 64}}").json();
    assertNotEquals(a.get("encoding_signature").asText(), b.get("encoding_signature").asText());
    assertEquals(64, b.get("feature_config").get("n_mels").asInt());
  }

  /**
   * Issue 14: a job whose windows do not fit the model's input is refused where it is made, by the rule the worker
   * applies to each window, naming the model's input; nothing is queued.
   */
  @Test
  void windowOrRateThatDoesNotFitTheModelIs422NamingItsInput() {
    String audioId = api.uploadId(170);
    int queuedBefore = api.get("/processing/jobs?limit=10000").json().size();
    TestApi.Resp wrongRate = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", "
        + "\"target_sample_rate\": 16000}");
    assertDetail(wrongRate, 422, "window has 16000 values, model input '");
    assertTrue(wrongRate.json().get("detail").asText().contains("takes 1000"), wrongRate::toString);
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"window_size_seconds\": "
        + "5}"), 422, "takes 1000");
    assertDetail(api.post("/processing/jobs", "{\"folder_path\": \"\", \"window_size_seconds\": 2}"), 422,
        "window has 2000 values");
    assertEquals(queuedBefore, api.get("/processing/jobs?limit=10000").json().size(), "nothing may be queued");
    // Frame pooling cuts each window to the model's input: any window fits.
    TestApi.Resp pooled = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", "
        + "\"window_size_seconds\": 5, \"feature_config\": {\"frame_hop_seconds\": 0.5}}");
    assertEquals(201, pooled.status(), pooled::toString);
  }

  @Test
  void batchByIdsAndByFolder() {
    String x = api.upload("x.wav", TestApi.wav(1.0, 8_000, 120), "batch-folder").json().get("id").asText();
    String y = api.upload("y.wav", TestApi.wav(1.0, 8_000, 130), "batch-folder").json().get("id").asText();
    TestApi.Resp byFolder = api.post("/processing/jobs", "{\"folder_path\": \"batch-folder\"}");
    assertEquals(201, byFolder.status(), byFolder::toString);
    assertEquals(2, byFolder.json().size());
    TestApi.Resp byIds = api.post("/processing/jobs", "{\"audio_file_ids\": [\"" + x + "\", \"" + y + "\"], "
        + "\"model_version\": \"tiny-other\"}");
    assertEquals(201, byIds.status(), byIds::toString);
    assertEquals(2, byIds.json().size());
    assertEquals(404, api.post("/processing/jobs", "{\"folder_path\": \"no-such-folder\"}").status());
  }

  @Test
  void cancelQueuedJobThenConflict() {
    String audioId = api.uploadId(140);
    String jobId = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}").json().get("id").asText();
    TestApi.Resp canceled = api.post("/processing/jobs/" + jobId + "/cancel", null);
    assertEquals(200, canceled.status(), canceled::toString);
    assertEquals("canceled", canceled.json().get("status").asText());
    assertEquals("canceled", api.get("/processing/jobs/" + jobId).json().get("status").asText());
    TestApi.Resp twice = api.post("/processing/jobs/" + jobId + "/cancel", null);
    assertEquals(409, twice.status(), twice::toString);
    assertEquals(404, api.post("/processing/jobs/nope/cancel", null).status());
  }

  @Test
  void badRequests() {
    String audioId = api.uploadId(150);
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"window_size_seconds\": "
        + "\"abc\"}"), 422, "window_size_seconds");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"target_sample_rate\": "
        + "[1]}"), 422, "target_sample_rate");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": "), 422, "malformed JSON");
    assertDetail(api.post("/processing/jobs", "[1, 2]"), 422, "body");
    assertDetail(api.post("/processing/jobs", "{}"), 422, "audio_file_id");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"feature_config\": "
        + "{\"n_melz\": 3}}"), 422, "n_melz");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"missing\"}"), 404, "missing");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"model_version\": "
        + "\"no-model\"}"), 404, "no-model");
    assertEquals(404, api.get("/processing/jobs/unknown").status());
  }

  @Test
  void embeddingSets() {
    String audioId = api.uploadId(160);
    EmbeddingSet s = api.insertEmbeddingSet(audioId, "tiny-default", 8);
    TestApi.Resp got = api.get("/processing/embedding-sets/" + s.id());
    assertEquals(200, got.status(), got::toString);
    JsonNode j = got.json();
    for (String field : List.of("id", "audio_file_id", "encoding_signature", "model_version", "window_size_seconds",
        "target_sample_rate", "vector_dim", "parquet_path", "created_at")) {
      assertTrue(j.has(field), "missing " + field + " in " + j);
    }
    assertEquals(8, j.get("vector_dim").asInt());
    assertTrue(api.get("/processing/embedding-sets").json().toString().contains(s.id()));
    assertEquals(404, api.get("/processing/embedding-sets/unknown").status());
    assertDetail(api.get("/processing/embedding-sets?limit=abc"), 422, "limit");
  }

  static void assertDetail(TestApi.Resp r, int status, String mention) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    assertTrue(r.json().get("detail").asText().contains(mention), () -> "detail should mention " + mention + ": " + r);
  }
}
