package org.humpback.rest;

import static org.humpback.rest.ProcessingApiTest.assertDetail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminApiTest {

  @TempDir static Path root;
  static TestApi api;

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String register(String file, String name, int dim) {
    TinyModels.writeTfLite(api.modelsDir.resolve(file), TinyModels.dense(1000, dim, dim), true);
    TestApi.Resp r = api.post("/admin/models", "{\"path\": \"" + file + "\", \"name\": \"" + name
        + "\", \"display_name\": \"" + name + " model\", \"sample_rate\": 1000, \"window_seconds\": 1.0}");
    assertEquals(201, r.status(), r::toString);
    return r.json().get("id").asText();
  }

  @Test
  void registerSetDefaultUpdateDeleteWithGuard() {
    String a = register("a.tflite", "model-a", 8);
    String b = register("b.tflite", "model-b", 4);
    JsonNode models = api.get("/admin/models").json();
    JsonNode ma = find(models, a);
    for (String field : List.of("id", "name", "display_name", "path", "vector_dim", "description", "is_default",
        "model_type", "input_format", "created_at", "input_spec")) {
      assertTrue(ma.has(field), "missing " + field + " in " + ma);
    }
    assertEquals(8, ma.get("vector_dim").asInt());
    assertEquals("tflite", ma.get("model_type").asText());
    assertEquals("waveform", ma.get("input_format").asText());
    assertFalse(find(models, b).get("is_default").asBoolean(), "only the first model registered becomes the default");

    TestApi.Resp setDefault = api.post("/admin/models/" + b + "/set-default", null);
    assertEquals(200, setDefault.status(), setDefault::toString);
    assertTrue(setDefault.json().get("is_default").asBoolean());
    models = api.get("/admin/models").json();
    assertFalse(find(models, a).get("is_default").asBoolean());
    assertTrue(find(models, b).get("is_default").asBoolean());

    TestApi.Resp updated = api.put("/admin/models/" + a, "{\"description\": \"humpback song\"}");
    assertEquals(200, updated.status(), updated::toString);
    assertEquals("humpback song", updated.json().get("description").asText());
    assertEquals("model-a model", updated.json().get("display_name").asText(), "left-out fields keep their values");

    // The delete guard: embedding sets made with model-a keep it registered.
    api.insertEmbeddingSet(api.uploadId(440), "model-a", 8);
    assertDetail(api.delete("/admin/models/" + a), 400, "embedding set");
    TestApi.Resp deleted = api.delete("/admin/models/" + b);
    assertEquals(200, deleted.status(), deleted::toString);
    assertEquals(b, deleted.json().get("deleted").asText());
    assertEquals(404, api.delete("/admin/models/" + b).status());
    assertEquals(404, api.post("/admin/models/" + b + "/set-default", null).status());
    assertEquals(404, api.put("/admin/models/" + b, "{}").status());
    assertTrue(Files.exists(api.modelsDir.resolve("b.tflite")), "unregistering keeps the file");
  }

  @Test
  void badRegistrations() throws Exception {
    Path outside = api.root.resolve("outside.tflite");
    TinyModels.writeTfLite(outside, TinyModels.dense(1000, 3, 3), true);
    assertDetail(api.post("/admin/models", "{\"path\": \"../outside.tflite\"}"), 400, "outside.tflite");
    assertDetail(api.post("/admin/models", "{\"path\": \"" + outside + "\"}"), 400, "outside.tflite");
    assertDetail(api.post("/admin/models", "{\"path\": \"missing.tflite\"}"), 404, "missing.tflite");
    assertDetail(api.post("/admin/models", "{\"name\": \"x\"}"), 422, "path");
    assertDetail(api.post("/admin/models", "{\"path\": \"a.tflite\", \"model_type\": \"banana\"}"), 422, "model_type");
    assertDetail(api.post("/admin/models", "{\"path\": \"a.tflite\", \"vector_dim\": \"many\"}"), 422, "vector_dim");
    assertDetail(api.post("/admin/models", "{not json"), 422, "malformed JSON");
    TinyModels.writeTfLite(api.modelsDir.resolve("dup.tflite"), TinyModels.dense(1000, 5, 5), true);
    // Issue 13 item 6: a waveform model's rate is not in the file, so registering without one is refused naming it.
    assertDetail(api.post("/admin/models", "{\"path\": \"dup.tflite\", \"name\": \"dup\"}"), 400, "sample_rate");
    assertEquals(201, api.post("/admin/models", "{\"path\": \"dup.tflite\", \"name\": \"dup\", \"sample_rate\": 1000}")
        .status());
    assertDetail(api.post("/admin/models", "{\"path\": \"dup.tflite\", \"name\": \"dup\", \"sample_rate\": 1000}"), 409,
        "dup");
    assertDetail(api.post("/admin/models", "{\"path\": \"dup.tflite\", \"name\": \"dup2\", \"vector_dim\": 99}"),
        400, "99");
    try (var files = Files.list(api.root)) {
      assertEquals(List.of("outside.tflite"), files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tflite")).toList(), "registration never writes model files");
    }
  }

  @Test
  void scanAndTables() {
    TinyModels.writeTfLite(api.modelsDir.resolve("scan-me.tflite"), TinyModels.dense(1000, 6, 6), true);
    TestApi.Resp scan = api.get("/admin/models/scan");
    assertEquals(200, scan.status(), scan::toString);
    JsonNode found = null;
    for (JsonNode s : scan.json()) {
      if (s.get("filename").asText().equals("scan-me.tflite")) {
        found = s;
      }
    }
    assertTrue(found != null, scan::toString);
    for (String field : List.of("filename", "path", "size_bytes", "registered", "model_type", "input_format")) {
      assertTrue(found.has(field), "missing " + field + " in " + found);
    }
    assertFalse(found.get("registered").asBoolean());
    assertEquals("tflite", found.get("model_type").asText());
    assertTrue(found.get("size_bytes").asLong() > 0);

    // The seed's shape: a list of {table, count} (its page calls tables.map).
    TestApi.Resp tables = api.get("/admin/tables");
    assertEquals(200, tables.status());
    assertTrue(tables.json().isArray(), tables::toString);
    List<String> names = new java.util.ArrayList<>();
    for (JsonNode t : tables.json()) {
      names.add(t.get("table").asText());
      assertTrue(t.get("count").isIntegralNumber(), t::toString);
    }
    assertEquals(List.of("models", "audio_files", "audio_metadata", "processing_jobs", "embedding_sets",
        "clustering_jobs", "clusters", "cluster_assignments"), names);
  }

  private static JsonNode find(JsonNode list, String id) {
    for (JsonNode n : list) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError(id + " not in " + list);
  }
}
