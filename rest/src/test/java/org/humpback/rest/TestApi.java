package org.humpback.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.registry.models.ModelPaths;
import org.humpback.registry.models.ModelRegistry;
import org.humpback.rest.audio.AudioProbe;

/** A real server on a free loopback port over a fresh database and storage directory, and a small client for it. */
final class TestApi implements AutoCloseable {

  final Path root;
  final Path storage;
  final Path modelsDir;
  final Database db;
  final ModelRegistry models;
  final WebServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String token;

  TestApi(Path root, long maxUploadBytes, String apiToken, AudioProbe probe) {
    this.root = root;
    this.storage = root.resolve("data");
    this.modelsDir = root.resolve("models");
    try {
      Files.createDirectories(modelsDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.db = Database.open("jdbc:sqlite:" + root.resolve("humpback.db"));
    RestOptions options = new RestOptions("127.0.0.1", 0, storage, maxUploadBytes, apiToken, 3);
    this.models = new ModelRegistry(db.jdbi(), new ModelPaths(modelsDir, java.util.List.of()),
        org.humpback.transforms.model.ModelProbe::probe);
    this.server = RestServer.start(db, models, options, probe);
  }

  static TestApi start(Path root) {
    return new TestApi(root, 4L * 1024 * 1024, null, AudioProbe.FFMPEG);
  }

  TestApi token(String t) {
    this.token = t;
    return this;
  }

  record Resp(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Resp get(String path) {
    return send(base(path).GET());
  }

  Resp delete(String path) {
    return send(base(path).DELETE());
  }

  Resp post(String path, String json) {
    return send(base(path).header("Content-Type", "application/json")
        .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
  }

  Resp put(String path, String json) {
    return send(base(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** {@code POST /audio/upload} with a multipart {@code file} part (and {@code folder_path} when not null). */
  Resp upload(String filename, byte[] content, String folderPath) {
    String boundary = "----humpback" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (folderPath != null) {
      write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"folder_path\"\r\n\r\n" + folderPath
          + "\r\n");
    }
    write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.writeBytes(content);
    write(body, "\r\n--" + boundary + "--\r\n");
    return send(base("/audio/upload").header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  HttpRequest.Builder base(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  Resp send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] wav(double seconds, int sampleRate, double hz) {
    return TestAudio.wav(seconds, sampleRate, hz);
  }

  /** Registers a tiny real TFLite model straight through the DAO (for tests that are not about registration). */
  ModelRecord insertModel(String name, int vectorDim, boolean isDefault) {
    Path file = org.humpback.transforms.testing.TinyModels.writeTfLite(modelsDir.resolve(name + ".tflite"),
        org.humpback.transforms.testing.TinyModels.dense(1000, vectorDim, name.hashCode()), true);
    java.time.Instant now = java.time.Instant.now();
    ModelRecord m = new ModelRecord(org.humpback.registry.dao.Ids.newId(), name, name + " display", file.toString(),
        vectorDim, "tiny test model", false, org.humpback.transforms.model.ModelType.TFLITE,
        org.humpback.transforms.model.InputFormat.WAVEFORM, 1000, 1.0, null, null, null, null, false,
        org.humpback.pipelines.EncodingSignature.modelChecksum(file), now, now);
    ModelDao dao = db.dao(ModelDao.class);
    if (isDefault) {
      dao.insertAsDefault(m);
    } else {
      dao.insert(m);
    }
    return dao.findById(m.id()).orElseThrow();
  }

  /** An embedding set row (the Parquet file is not needed by the endpoints that only read rows). */
  EmbeddingSet insertEmbeddingSet(String audioFileId, String modelName, int vectorDim) {
    EmbeddingSet s = new EmbeddingSet(org.humpback.registry.dao.Ids.newId(), audioFileId,
        UUID.randomUUID().toString().replace("-", ""), modelName, 1.0, 1000, vectorDim,
        storage.resolve("embeddings/" + UUID.randomUUID() + ".parquet").toString(), 3L, java.time.Instant.now());
    db.dao(EmbeddingSetDao.class).insert(s);
    return s;
  }

  String uploadId(double hz) {
    Resp r = upload("tone-" + hz + ".wav", wav(1.0, 8_000, hz), null);
    if (r.status() != 201) {
      throw new AssertionError("upload failed: " + r);
    }
    return r.json().get("id").asText();
  }

  @Override
  public void close() {
    server.stop();
    db.close();
  }
}
