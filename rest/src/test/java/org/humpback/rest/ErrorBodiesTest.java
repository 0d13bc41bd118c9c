package org.humpback.rest;

import static org.humpback.rest.ProcessingApiTest.assertDetail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 items 2, 9 and 10, issue 14's unknown routes: every error is JSON {@code {"detail": ...}}, including what
 * Helidon answers before routing; wrong JSON types are 422 naming the field and never coerced.
 */
class ErrorBodiesTest {

  @TempDir static Path root;
  static TestApi api;

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
    api.insertModel("tiny-default", 8, true);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void assertJsonDetail(TestApi.Raw r, int status, String mention) {
    assertEquals(status, r.status(), r::toString);
    assertNotNull(r.header("Content-Type"), r::toString);
    assertTrue(r.header("Content-Type").startsWith("application/json"), r::toString);
    assertTrue(r.json().get("detail").asText().contains(mention), () -> "detail should mention " + mention + ": " + r);
  }

  @Test
  void unknownRoutesAre404Json() {
    assertDetail(api.get("/no/such/route"), 404, "/no/such/route");
    assertDetail(api.post("/no/such/route", "{}"), 404, "/no/such/route");
    assertDetail(api.delete("/processing/nothing-here"), 404, "/processing/nothing-here");
  }

  @Test
  void wrongMethodOnAKnownPathIs405WithAllow() {
    TestApi.Raw del = api.raw("DELETE /audio/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertJsonDetail(del, 405, "DELETE");
    assertTrue(del.header("Allow").contains("GET"), del::toString);
    TestApi.Raw put = api.raw("PUT /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertJsonDetail(put, 405, "GET");
    assertEquals("GET", put.header("Allow"), put::toString);
    // GET reaches the static files first, which find nothing: still a 405 naming the route's method.
    TestApi.Raw get = api.raw("GET /audio/some-id/metadata HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonDetail(get, 405, "PUT");
    assertEquals("PUT", get.header("Allow"), get::toString);
    TestApi.Raw cancel = api.raw("GET /processing/jobs/abc/cancel HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonDetail(cancel, 405, "POST");
  }

  @Test
  void hugeDeclaredContentLengthIs413Json() {
    TestApi.Raw r = api.raw("POST /processing/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 99999999999\r\n\r\n{}");
    assertJsonDetail(r, 413, "");
    assertTrue(r.closed(), "the unread body cannot be skipped: the connection closes");
  }

  @Test
  void uriTooLongIs414Json() {
    TestApi.Raw r = api.raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonDetail(r, 414, "");
  }

  @Test
  void badRequestLineAndHugeHeaderAre400Json() {
    assertJsonDetail(api.raw("GARBAGE\r\n\r\n"), 400, "");
    assertJsonDetail(api.raw("GET /x y z HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "");
    TestApi.Raw big = api.raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(200 * 1024) + "\r\n\r\n");
    assertTrue(big.status() == 400 || big.status() == 431, big::toString);
    assertTrue(big.header("Content-Type").startsWith("application/json"), big::toString);
    assertTrue(big.json().has("detail"), big::toString);
  }

  @Test
  void deeplyNestedJsonIs422AndConnectionCloseIsHonoured() {
    String deep = "[".repeat(3_000) + "]".repeat(3_000);
    for (String path : new String[] {"/processing/jobs", "/clustering/jobs", "/admin/models"}) {
      TestApi.Raw r = api.raw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Connection: close\r\nContent-Length: " + deep.length() + "\r\n\r\n" + deep);
      assertJsonDetail(r, 422, "nested");
      assertTrue(r.closed(), () -> "Connection: close must be honoured: " + r);
    }
    String id = api.uploadId(330);
    String deepObject = "{\"tag_data\": " + "{\"a\": ".repeat(2_000) + "1" + "}".repeat(2_000) + "}";
    assertDetail(api.put("/audio/" + id + "/metadata", deepObject), 422, "nested");
    // The server still answers afterwards.
    assertEquals(200, api.get("/health").status());
  }

  @Test
  void wrongTypesAre422NamingTheFieldAndNeverCoerced() {
    String audioId = api.uploadId(340);
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": 123}"), 422, "audio_file_id");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": true}"), 422, "audio_file_id");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_ids\": [null]}"), 422, "audio_file_ids");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_ids\": [\"" + audioId + "\", 7]}"), 422,
        "audio_file_ids");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"window_size_seconds\": "
        + "\"5\"}"), 422, "window_size_seconds");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"target_sample_rate\": "
        + "16000.5}"), 422, "target_sample_rate");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\", \"window_size_seconds\": "
        + "1e400}"), 422, "window_size_seconds");
    assertDetail(api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"} trailing"), 422, "JSON");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [123]}"), 422, "embedding_set_ids");
    assertDetail(api.post("/clustering/jobs", "{\"embedding_set_ids\": [null]}"), 422, "embedding_set_ids");
    assertDetail(api.post("/admin/models", "{\"path\": 12}"), 422, "path");
    assertDetail(api.post("/admin/models", "{\"path\": \"x.tflite\", \"is_default\": 1}"), 422, "is_default");

    assertDetail(api.put("/audio/" + audioId + "/metadata", "{\"tag_data\": {\"depth\": 1e400}}"), 422,
        "tag_data.depth");
    assertDetail(api.put("/audio/" + audioId + "/metadata", "{\"tag_data\": {\"x\": [1, -1e999]}}"), 422,
        "tag_data.x[1]");
    assertFalse(api.get("/audio/" + audioId).body().contains("Infinity"));
    TestApi.Resp ok = api.put("/audio/" + audioId + "/metadata", "{\"tag_data\": {\"depth\": 1.5e300}}");
    assertEquals(200, ok.status(), ok::toString);
    assertEquals(1.5e300, ok.json().get("tag_data").get("depth").asDouble());
  }
}
