package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioApiTest {

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

  @Test
  void uploadStoresByContentAndDeduplicates() throws IOException {
    byte[] wav = TestApi.wav(0.5, 16_000, 440);
    TestApi.Resp first = api.upload("song one.mp3", wav, "survey/2024");
    assertEquals(201, first.status(), first::toString);
    JsonNode f = first.json();
    for (String field : List.of("id", "filename", "folder_path", "checksum_sha256", "duration_seconds",
        "sample_rate_original", "created_at", "metadata")) {
      assertTrue(f.has(field), "missing " + field + " in " + f);
    }
    assertEquals("song one.mp3", f.get("filename").asText());
    assertEquals("survey/2024", f.get("folder_path").asText());
    assertEquals(64, f.get("checksum_sha256").asText().length());
    assertEquals(16_000, f.get("sample_rate_original").asInt());
    assertEquals(0.5, f.get("duration_seconds").asDouble(), 1e-3);
    assertTrue(f.get("metadata").isNull());
    String id = f.get("id").asText();
    // The extension comes from the RIFF/WAVE content, not from the ".mp3" name.
    Path stored = api.storage.resolve("audio/raw/" + id + "/original.wav");
    assertTrue(Files.isRegularFile(stored), "expected " + stored);
    assertEquals(wav.length, Files.size(stored));

    TestApi.Resp again = api.upload("another-name.wav", wav, null);
    assertEquals(201, again.status(), again::toString);
    assertEquals(id, again.json().get("id").asText(), "same bytes must return the existing record");
    assertEquals(1, rawDirs().size());

    TestApi.Resp got = api.get("/audio/" + id);
    assertEquals(200, got.status());
    assertEquals(id, got.json().get("id").asText());
    TestApi.Resp list = api.get("/audio/");
    assertEquals(200, list.status());
    assertEquals(200, api.get("/audio").status(), "the list answers without the trailing slash too");
    assertTrue(list.json().isArray());
    assertTrue(list.json().toString().contains(id));
  }

  @Test
  void pathTraversalFilenameKeepsOnlyTheBaseName() throws IOException {
    TestApi.Resp r = api.upload("../../etc/passwd.wav", TestApi.wav(0.25, 8_000, 300), null);
    assertEquals(201, r.status(), r::toString);
    assertEquals("passwd.wav", r.json().get("filename").asText());
    assertFalse(Files.exists(api.root.resolve("etc")));
    assertFalse(Files.exists(api.storage.resolve("etc")));
    try (Stream<Path> all = Files.walk(api.root)) {
      assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("passwd.wav")), "nothing named after the client");
    }
  }

  @Test
  void nonAudioIsRefusedWith415AndLeavesNothing() throws IOException {
    int before = rawDirs().size();
    TestApi.Resp r = api.upload("notes.wav", "%PDF-1.4 this is not audio at all".getBytes(), null);
    assertEquals(415, r.status(), r::toString);
    assertTrue(r.json().get("detail").asText().contains("not a WAV"), r::toString);
    assertEquals(before, rawDirs().size());
    assertTrue(tmpFiles().isEmpty());
  }

  @Test
  void audioHeaderOverGarbageIs415AndLeavesNothing() throws IOException {
    int before = rawDirs().size();
    byte[] fake = new byte[4096];
    System.arraycopy("RIFF\0\0\0\0WAVEjunk".getBytes(), 0, fake, 0, 16);
    TestApi.Resp r = api.upload("fake.wav", fake, null);
    assertEquals(415, r.status(), r::toString);
    assertTrue(r.json().get("detail").asText().contains("cannot be decoded"), r::toString);
    assertEquals(before, rawDirs().size());
    assertTrue(tmpFiles().isEmpty());
  }

  @Test
  void oversizeUploadIs413AndLeavesNothing() throws IOException {
    try (TestApi small = new TestApi(root.resolve("small"), 64 * 1024, null,
        org.humpback.rest.audio.AudioProbe.NONE)) {
      // Under the Content-Length pre-check (cap + 1 MB of multipart room), so the streaming cap is what refuses it.
      TestApi.Resp r = small.upload("big.wav", TestApi.wav(3.0, 16_000, 440), null);
      assertEquals(413, r.status(), r::toString);
      assertTrue(r.json().get("detail").asText().contains("MB limit"), r::toString);
      // Far over the cap: refused from Content-Length before the body is read.
      TestApi.Resp huge = small.upload("huge.wav", TestApi.wav(40.0, 16_000, 440), null);
      assertEquals(413, huge.status(), huge::toString);
      try (Stream<Path> all = Files.walk(small.storage.getParent())) {
        assertTrue(all.noneMatch(p -> Files.isRegularFile(p) && p.toString().contains("audio")),
            "no audio file may be left");
      }
    }
  }

  @Test
  void uploadWithoutFilePartIs422() {
    TestApi.Resp r = api.post("/audio/upload", "{}");
    assertEquals(422, r.status(), r::toString);
  }

  @Test
  void malformedMultipartIs4xx() {
    TestApi.Resp r = api.send(api.base("/audio/upload").header("Content-Type", "multipart/form-data; boundary=xyz")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("this is not multipart at all")));
    assertTrue(r.status() == 400 || r.status() == 422, r::toString);
    assertTrue(r.json().has("detail"), r::toString);
    TestApi.Resp noBoundary = api.send(api.base("/audio/upload").header("Content-Type", "multipart/form-data")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("--x\r\n")));
    assertTrue(noBoundary.status() == 400 || noBoundary.status() == 422, noBoundary::toString);
  }

  @Test
  void metadataPutMergesFields() {
    String id = api.upload("m.wav", TestApi.wav(0.3, 8_000, 200), null).json().get("id").asText();
    TestApi.Resp first = api.put("/audio/" + id + "/metadata", "{\"tag_data\": {\"tag\": \"A1\"}}");
    assertEquals(200, first.status(), first::toString);
    JsonNode m = first.json();
    assertEquals(id, m.get("audio_file_id").asText());
    assertEquals("A1", m.get("tag_data").get("tag").asText());
    assertTrue(m.get("visual_observations").isNull());

    TestApi.Resp second = api.put("/audio/" + id + "/metadata", "{\"group_composition\": {\"adults\": 2}}");
    assertEquals(200, second.status(), second::toString);
    assertEquals("A1", second.json().get("tag_data").get("tag").asText(), "left-out fields keep their values");
    assertEquals(2, second.json().get("group_composition").get("adults").asInt());
    assertEquals(m.get("id").asText(), second.json().get("id").asText());

    JsonNode file = api.get("/audio/" + id).json();
    assertEquals(2, file.get("metadata").get("group_composition").get("adults").asInt());

    TestApi.Resp wrongType = api.put("/audio/" + id + "/metadata", "{\"tag_data\": 5}");
    assertEquals(422, wrongType.status());
    assertTrue(wrongType.json().get("detail").asText().contains("tag_data"), wrongType::toString);
    TestApi.Resp malformed = api.put("/audio/" + id + "/metadata", "{\"tag_data\": ");
    assertEquals(422, malformed.status());
    assertTrue(malformed.json().get("detail").asText().contains("malformed JSON"), malformed::toString);
  }

  @Test
  void unknownIdsAre404WithDetail() {
    TestApi.Resp r = api.get("/audio/no-such-id");
    assertEquals(404, r.status());
    assertEquals("Audio file not found: no-such-id", r.json().get("detail").asText());
    assertEquals(404, api.put("/audio/no-such-id/metadata", "{}").status());
  }

  @Test
  void healthAnswers() {
    TestApi.Resp r = api.get("/health");
    assertEquals(200, r.status());
    assertEquals("ok", r.json().get("status").asText());
  }

  private static List<Path> rawDirs() throws IOException {
    Path raw = api.storage.resolve("audio/raw");
    if (!Files.isDirectory(raw)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(raw)) {
      return s.toList();
    }
  }

  private static List<Path> tmpFiles() throws IOException {
    Path tmp = api.storage.resolve("audio/tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.toList();
    }
  }
}
