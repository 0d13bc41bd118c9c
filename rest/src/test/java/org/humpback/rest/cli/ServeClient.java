package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.humpback.rest.Json;

/** A small HTTP client for a running {@code serve} (in-process or a {@link ChildServe}): requests, uploads, waiting for jobs. */
final class ServeClient {

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ServeClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** A request with an optional JSON body. */
  HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return send(b);
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code POST /audio/upload} of one file part named {@code filename}. */
  HttpResponse<String> upload(String filename, byte[] content) {
    String boundary = "b" + System.nanoTime();
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
        + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + content.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(content, 0, all, head.length, content.length);
    System.arraycopy(tail, 0, all, head.length + content.length, tail.length);
    return send(HttpRequest.newBuilder(URI.create(base + "/audio/upload")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(all)));
  }

  /** Uploads a WAV and returns its audio file id (201 expected). */
  String uploadId(byte[] wav) {
    return json(upload("t.wav", wav), 201).get("id").asText();
  }

  /** Polls a job ({@code /processing/jobs/{id}} or {@code /clustering/jobs/{id}}) until it is neither queued nor running. */
  JsonNode awaitFinal(String path, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode job = json(send("GET", path, null), 200);
      String status = job.get("status").asText();
      if (!status.equals("queued") && !status.equals("running")) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job still " + status + " after " + timeout.toSeconds() + " s: " + job);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  JsonNode awaitFinal(String path) {
    return awaitFinal(path, Duration.ofSeconds(90));
  }

  /** The body as JSON, after checking the status. */
  static JsonNode json(HttpResponse<String> r, int expectedStatus) {
    assertEquals(expectedStatus, r.statusCode(), r::body);
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
    }
  }
}
