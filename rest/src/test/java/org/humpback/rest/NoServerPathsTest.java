package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 8: no response reveals the server's absolute paths; files are shown relative to their folder. */
class NoServerPathsTest {

  @TempDir static Path root;
  static TestApi api;
  private final List<Object> seen = new ArrayList<>();

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** Every response a test looked at, checked for the server's folders. */
  @AfterEach
  void noResponseNamedTheServersFolders() {
    String rootText = root.toAbsolutePath().toString();
    for (Object r : seen) {
      assertFalse(r.toString().contains(rootText), () -> "a response reveals the server's path " + rootText + ": " + r);
    }
  }

  private TestApi.Resp seen(TestApi.Resp r) {
    seen.add(r);
    return r;
  }

  @Test
  void modelPathsAreRelativeToTheModelsFolder() {
    TinyModels.writeTfLite(api.modelsDir.resolve("rel.tflite"), TinyModels.dense(1000, 4, 4), true);
    TestApi.Resp created = seen(api.post("/admin/models", "{\"path\": \"rel.tflite\", \"name\": \"rel\", \"sample_rate\": 1000}"));
    assertEquals(201, created.status(), created::toString);
    assertEquals("rel.tflite", created.json().get("path").asText());
    JsonNode listed = seen(api.get("/admin/models")).json();
    assertEquals("rel.tflite", listed.get(0).get("path").asText(), listed::toString);
    JsonNode scan = seen(api.get("/admin/models/scan")).json();
    boolean found = false;
    for (JsonNode s : scan) {
      if (s.get("filename").asText().equals("rel.tflite")) {
        assertEquals("rel.tflite", s.get("path").asText(), s::toString);
        found = true;
      }
    }
    assertTrue(found, scan::toString);
  }

  @Test
  void modelRegistrationErrorsNameNoServerPath() {
    TinyModels.writeTfLite(root.resolve("outside.tflite"), TinyModels.dense(1000, 3, 3), true);
    ProcessingApiTest.assertDetail(seen(api.post("/admin/models", "{\"path\": \"../outside.tflite\"}")), 400,
        "outside.tflite");
    ProcessingApiTest.assertDetail(seen(api.post("/admin/models", "{\"path\": \"missing.tflite\"}")), 404,
        "missing.tflite");
    ProcessingApiTest.assertDetail(seen(api.post("/admin/models", "{\"path\": \"sub/dir/missing.tflite\"}")), 404,
        "sub/dir/missing.tflite");
  }

  @Test
  void uploadErrorsNameNoServerPath() {
    byte[] fake = new byte[4096];
    System.arraycopy("RIFF\0\0\0\0WAVEjunk".getBytes(), 0, fake, 0, 16);
    TestApi.Resp r = seen(api.upload("fake.wav", fake, null));
    assertEquals(415, r.status(), r::toString);
  }

  @Test
  void embeddingSetParquetPathIsRelativeToTheStorageRoot() {
    EmbeddingSet s = api.insertEmbeddingSet(api.uploadId(510), "m", 4);
    JsonNode got = seen(api.get("/processing/embedding-sets/" + s.id())).json();
    String expected = api.storage.relativize(Path.of(s.parquetPath())).toString();
    assertEquals(expected, got.get("parquet_path").asText());
    assertTrue(expected.startsWith("embeddings/"), expected);
    seen(api.get("/processing/embedding-sets"));
  }

  @Test
  void jobErrorMessagesNameNoServerPath() {
    EmbeddingSet s = api.insertEmbeddingSet(api.uploadId(520), "m", 4);
    String jobId = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + s.id() + "\"]}").json()
        .get("id").asText();
    // As a clustering worker records a failure reading a set's file.
    String message = "Cannot read " + s.parquetPath() + ": not a Parquet file";
    api.db.jdbi().useHandle(h -> h.createUpdate("UPDATE clustering_jobs SET status = 'failed', error_message = :m "
        + "WHERE id = :id").bind("m", message).bind("id", jobId).execute());
    JsonNode job = seen(api.get("/clustering/jobs/" + jobId)).json();
    String shown = job.get("error_message").asText();
    assertTrue(shown.contains("embeddings/") && shown.contains("not a Parquet file"), shown);
    seen(api.get("/clustering/jobs"));
  }
}
