package org.humpback.rest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.humpback.rest.Json;

/** A small HTTP client for an API at a base URL (a server in another process, or in this one). */
final class ApiClient {

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ApiClient(String base) {
    this.base = base;
  }

  /** The body of a {@code GET}, which must answer 200. */
  String get(String path) {
    return expect(200, send("GET", path, null), "GET " + path);
  }

  JsonNode getJson(String path) {
    return json(get(path));
  }

  /** A JSON {@code POST} or {@code PUT} that must answer {@code status}; returns the body as JSON. */
  JsonNode send(String method, String path, String json, int status) {
    return json(expect(status, send(method, path, json), method + " " + path));
  }

  /** {@code POST /audio/upload} of a file into {@code folder}, which must answer 201; returns the audio file. */
  JsonNode upload(String filename, byte[] content, String folder) {
    String boundary = "----humpback" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"folder_path\"\r\n\r\n" + folder
        + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = exchange(request("/audio/upload")
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    return json(expect(201, r, "upload " + filename));
  }

  private HttpResponse<String> send(String method, String path, String json) {
    HttpRequest.Builder b = request(path);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return exchange(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
  }

  private HttpResponse<String> exchange(HttpRequest.Builder b) {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String expect(int status, HttpResponse<String> r, String what) {
    if (r.statusCode() != status) {
      throw new AssertionError(what + ": expected " + status + ", got " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static JsonNode json(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
