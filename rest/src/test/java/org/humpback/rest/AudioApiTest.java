package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    int dirs = rawDirs().size();
    TestApi.Resp again = api.upload("another-name.wav", wav, null);
    assertEquals(201, again.status(), again::toString);
    assertEquals(id, again.json().get("id").asText(), "same bytes must return the existing record");
    assertEquals(dirs, rawDirs().size(), "a duplicate keeps no second file");

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
        org.humpback.pipelines.jobs.AudioProbe.NONE)) {
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

  /** Issue 15 item 3: non-ASCII file names survive, sent raw in UTF-8 (as browsers do) or as RFC 5987 filename*. */
  @Test
  void nonAsciiFileNamesArePreserved() {
    TestApi.Resp raw = api.upload("鯨の歌 ñ.wav", TestApi.wav(0.2, 8_000, 710), null);
    assertEquals(201, raw.status(), raw::toString);
    assertEquals("鯨の歌 ñ.wav", raw.json().get("filename").asText());
    assertEquals("鯨の歌 ñ.wav", api.get("/audio/" + raw.json().get("id").asText()).json().get("filename").asText());

    String boundary = "xYz0123456789";
    byte[] wav = TestApi.wav(0.2, 8_000, 720);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"whale.wav\"; "
        + "filename*=UTF-8''%E9%AF%A8%E3%81%AE%E6%AD%8C%20%C3%B1.wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(wav);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    TestApi.Resp ext = api.send(api.base("/audio/upload").header("Content-Type", "multipart/form-data; boundary="
        + boundary).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    assertEquals(201, ext.status(), ext::toString);
    assertEquals("鯨の歌 ñ.wav", ext.json().get("filename").asText());
  }

  /** The multipart reader keeps every byte: large files, and data that looks like the start of a boundary. */
  @Test
  void uploadBytesSurviveTheMultipartReaderExactly() throws Exception {
    String boundary = "----bound4ry";
    byte[] wav = TestApi.wav(6.0, 16_000, 730);
    byte[] trap = ("\r\n--" + boundary.substring(0, boundary.length() - 1) + "!").getBytes(StandardCharsets.US_ASCII);
    for (int at = 100_000; at + trap.length < wav.length; at += 65_531) {
      System.arraycopy(trap, 0, wav, at, trap.length);
    }
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("preamble\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"folder_path\"\r\n\r\n"
        + "exact\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"exact.wav\"\r\n"
        + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(wav);
    body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--"
        + boundary + "--\r\nepilogue").getBytes(StandardCharsets.US_ASCII));
    TestApi.Resp r = api.send(api.base("/audio/upload").header("Content-Type", "multipart/form-data; boundary=\""
        + boundary + "\"").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    assertEquals(201, r.status(), r::toString);
    assertEquals("exact", r.json().get("folder_path").asText());
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(wav));
    assertEquals(sha, r.json().get("checksum_sha256").asText());

    // Cut short inside the file part: a 422, and nothing is kept.
    int before = rawDirs().size();
    byte[] cut = java.util.Arrays.copyOf(body.toByteArray(), 150_000);
    TestApi.Resp truncated = api.send(api.base("/audio/upload").header("Content-Type", "multipart/form-data; "
        + "boundary=" + boundary).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(cut)));
    assertEquals(422, truncated.status(), truncated::toString);
    assertEquals(before, rawDirs().size());
    assertTrue(tmpFiles().isEmpty());
  }

  /** Issue 15 item 4: a WAV with a header and no samples is refused with 415, as the README promises. */
  @Test
  void wavWithHeaderButNoSamplesIs415AndLeavesNothing() throws IOException {
    int before = rawDirs().size();
    byte[] headerOnly = TestApi.wav(0, 16_000, 440);
    assertEquals(44, headerOnly.length);
    TestApi.Resp r = api.upload("empty.wav", headerOnly, null);
    assertEquals(415, r.status(), r::toString);
    assertTrue(r.json().get("detail").asText().contains("no audio samples"), r::toString);
    assertEquals(before, rawDirs().size());
    assertTrue(tmpFiles().isEmpty());
    // One sample is audio.
    assertEquals(201, api.upload("one.wav", TestApi.wav(1.0 / 16_000, 16_000, 440), null).status());
  }

  /** Issue 14: folder paths are normalised as the seed does; no folder is "", never null. */
  @Test
  void folderPathIsNormalisedAndMissingIsEmpty() {
    TestApi.Resp r = api.upload("f.wav", TestApi.wav(0.2, 8_000, 610), "//a///b//c//");
    assertEquals(201, r.status(), r::toString);
    assertEquals("a/b/c", r.json().get("folder_path").asText());
    TestApi.Resp none = api.upload("g.wav", TestApi.wav(0.2, 8_000, 620), null);
    assertTrue(none.json().get("folder_path").isTextual(), none::toString);
    assertEquals("", none.json().get("folder_path").asText());
    TestApi.Resp blank = api.upload("h.wav", TestApi.wav(0.2, 8_000, 630), " / ");
    assertEquals("", blank.json().get("folder_path").asText(), blank::toString);
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
