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
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.pipelines.models.ModelPaths;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.pipelines.jobs.AudioProbe;

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

  /** A response read off a raw socket: the status line and headers, the body, and whether the server closed. */
  record Raw(int status, String head, String body, boolean closed) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + head + "\n" + body, e);
      }
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return head + "\n\n" + body;
    }
  }

  /**
   * Sends {@code request} byte for byte (what {@link HttpClient} refuses to send: bad request lines, huge headers,
   * lying lengths) and reads one response; {@code closed} tells whether the server then closed the connection.
   */
  Raw raw(byte[] request) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5_000);
      try {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
      } catch (IOException e) {
        // The server may answer and close before reading all of a huge request: read what it said.
      }
      java.io.InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int headEnd = -1;
      long contentLength = -1;
      boolean closed = false;
      byte[] chunk = new byte[8192];
      while (true) {
        if (headEnd >= 0 && contentLength >= 0 && buf.size() >= headEnd + contentLength) {
          break;
        }
        int n;
        try {
          n = in.read(chunk);
        } catch (java.net.SocketTimeoutException e) {
          break;
        } catch (java.net.SocketException e) {
          closed = true;
          break;
        }
        if (n < 0) {
          closed = true;
          break;
        }
        buf.write(chunk, 0, n);
        if (headEnd < 0) {
          String sofar = buf.toString(StandardCharsets.ISO_8859_1);
          int i = sofar.indexOf("\r\n\r\n");
          if (i >= 0) {
            headEnd = i + 4;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
                .matcher(sofar.substring(0, i));
            contentLength = m.find() ? Long.parseLong(m.group(1)) : -1;
          }
        }
      }
      if (!closed && headEnd >= 0) {
        // One more read tells whether the server closed after its response.
        s.setSoTimeout(1_500);
        try {
          closed = in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
          closed = false;
        } catch (java.net.SocketException e) {
          closed = true;
        }
      }
      byte[] all = buf.toByteArray();
      if (headEnd < 0) {
        throw new AssertionError("no HTTP response: " + new String(all, StandardCharsets.ISO_8859_1));
      }
      String head = new String(all, 0, headEnd - 4, StandardCharsets.ISO_8859_1);
      String body = new String(all, headEnd, all.length - headEnd, StandardCharsets.UTF_8);
      int status = Integer.parseInt(head.split(" ")[1]);
      return new Raw(status, head, body, closed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Raw raw(String request) {
    return raw(request.getBytes(StandardCharsets.UTF_8));
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
        vectorDim, "tiny test model", false, org.humpback.transforms.model.ModelType.TFLITE.wireName(),
        org.humpback.transforms.model.InputFormat.WAVEFORM.wireName(), 1000, 1.0, null, null, null, null, false,
        org.humpback.pipelines.EncodingSignature.modelChecksum(file), now, now);
    ModelDao dao = db.dao(ModelDao.class);
    if (isDefault) {
      dao.insertAsDefault(m);
    } else {
      dao.insert(m);
    }
    return dao.findById(m.id()).orElseThrow();
  }

  /** An embedding set row and its Parquet file of three rows, as a worker leaves them. */
  EmbeddingSet insertEmbeddingSet(String audioFileId, String modelName, int vectorDim) {
    EmbeddingSet s = new EmbeddingSet(org.humpback.registry.dao.Ids.newId(), audioFileId,
        UUID.randomUUID().toString().replace("-", ""), modelName, 1.0, 1000, vectorDim,
        storage.resolve("embeddings/" + UUID.randomUUID() + ".parquet").toString(), 3L, java.time.Instant.now());
    java.util.List<EmbeddingParquet.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      float[] v = new float[vectorDim];
      java.util.Arrays.fill(v, i + 1);
      rows.add(new EmbeddingParquet.Row(i, i, i + 1.0, v));
    }
    EmbeddingParquet.write(s.parquetPath(), new EmbeddingParquet.Metadata(modelName, modelName,
        s.encodingSignature(), "{}", "0".repeat(64), vectorDim, "test"), rows.iterator());
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
