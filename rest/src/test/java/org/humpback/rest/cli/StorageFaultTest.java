package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.db.Database;
import org.humpback.rest.Json;
import org.humpback.rest.TestAudio;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5: a full disk and a read-only storage root give messages naming the cause, without server paths.
 * The server runs in a child process inside its own mount namespace ({@code unshare -m}), where the upload area is a
 * full tmpfs, the run folder ({@code data/tmp}) a read-only one and {@code data/embeddings} a full one. Skipped with a
 * message where mounts are not allowed (no root, no {@code unshare}).
 */
class StorageFaultTest {

  @TempDir Path home;

  @Test
  void fullAndReadOnlyStorageNameTheCause() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "skipped: no /usr/bin/unshare");
    Path data = home.resolve("data");
    for (String d : List.of("audio/tmp", "tmp", "embeddings")) {
      Files.createDirectories(data.resolve(d));
    }
    Path models = Files.createDirectories(home.resolve("models"));
    Path wav = home.resolve("outside-storage.wav");
    Files.write(wav, TestAudio.wav(2.0, 16_000, 440));

    String script = String.join("\n",
        "set -e",
        "mount -t tmpfs -o size=64k tmpfs '" + data.resolve("audio/tmp") + "'",
        "dd if=/dev/zero of='" + data.resolve("audio/tmp/filler") + "' bs=4k count=64 2>/dev/null || true",
        "mount -t tmpfs -o size=64k tmpfs '" + data.resolve("embeddings") + "'",
        "dd if=/dev/zero of='" + data.resolve("embeddings/filler") + "' bs=4k count=64 2>/dev/null || true",
        "mount -t tmpfs -o size=64k,ro tmpfs '" + data.resolve("tmp") + "'",
        "exec \"$@\"");
    ChildServe server;
    try {
      server = ChildServe.start(home, List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"),
          home.resolve("server.log"));
    } catch (ChildServe.StartFailed e) {
      Assumptions.abort("skipped: cannot run a server in a mount namespace with tmpfs mounts (needs root): "
          + e.getMessage());
      return;
    }
    try (server) {
      ServeClient api = server.client();

      // Upload into a full disk: 507 naming the cause.
      HttpResponse<String> upload = api.upload("t.wav", TestAudio.wav(1.0, 16_000, 300));
      assertEquals(507, upload.statusCode(), upload::body);
      String detail = Json.MAPPER.readTree(upload.body()).get("detail").asText();
      assertTrue(detail.contains("No space left on device"), detail);
      assertFalse(upload.body().contains(home.toString()), upload::body);

      // A job whose run folder is read-only: the job's message names it. (The model is written after start-up, so
      // start-up does not seed it as the default.)
      TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
      assertEquals(201, api.send("POST", "/admin/models", "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", "
          + "\"sample_rate\": 16000, \"window_seconds\": 0.5, \"is_default\": true}").statusCode());
      String audioId;
      try (Database db = Database.open("jdbc:sqlite:" + home.resolve("humpback.db"))) {
        audioId = org.humpback.registry.dao.Ids.newId();
        db.dao(AudioFileDao.class).insertOrGetBySha256(new AudioFile(audioId, "song.wav", "", "ab".repeat(32), 2.0,
            16_000, 1, wav.toString(), Instant.now()));
      }
      HttpResponse<String> created = api.send("POST", "/processing/jobs", "{\"audio_file_id\": \"" + audioId + "\"}");
      assertEquals(201, created.statusCode(), created::body);
      JsonNode job = api.awaitFinal("/processing/jobs/" + Json.MAPPER.readTree(created.body()).get("id").asText());
      assertEquals("failed", job.get("status").asText(), job::toString);
      String message = job.get("error_message").asText();
      assertTrue(message.contains("Read-only file system"), message);
      assertFalse(job.toString().contains(home.toString()), job::toString);
    }
  }
}
