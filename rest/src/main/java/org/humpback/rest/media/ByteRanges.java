package org.humpback.rest.media;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.humpback.rest.Json;

/**
 * Answers a GET with all of a body or, for a {@code Range: bytes=...} request, one part of it (206), so an
 * {@code <audio>} element can seek. A single range is served; a multi-range request gets the whole body, as RFC 9110
 * allows. An unsatisfiable range is 416 with {@code Content-Range: bytes *}{@code /length}.
 */
final class ByteRanges {

  /** Writes {@code count} bytes of the body from {@code offset}. */
  interface Body {
    void write(OutputStream out, long offset, long count) throws IOException;
  }

  private ByteRanges() {}

  static void send(ServerRequest req, ServerResponse res, String contentType, long length, Body body) {
    res.header(HeaderNames.ACCEPT_RANGES, "bytes");
    long[] range = parse(req.headers().first(HeaderNames.RANGE).orElse(null), length);
    if (range == UNSATISFIABLE) {
      res.header(HeaderNames.CONTENT_RANGE, "bytes */" + length);
      Json.detail(res, Status.REQUESTED_RANGE_NOT_SATISFIABLE_416, "Range not satisfiable: the body has " + length
          + " bytes");
      return;
    }
    long from = range == null ? 0 : range[0];
    long count = range == null ? length : range[1] - range[0] + 1;
    if (range != null) {
      res.status(Status.PARTIAL_CONTENT_206);
      res.header(HeaderNames.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + length);
    }
    res.header(HeaderNames.CONTENT_TYPE, contentType);
    res.contentLength(count);
    try (OutputStream out = res.outputStream()) {
      body.write(out, from, count);
    } catch (IOException e) {
      throw new UncheckedIOException("sending " + count + " bytes", e);
    }
  }

  private static final long[] UNSATISFIABLE = new long[0];

  /** {@code [first, last]} (inclusive) of a single byte range, null for the whole body, or {@link #UNSATISFIABLE}. */
  static long[] parse(String header, long length) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring("bytes=".length()).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).strip();
      String b = spec.substring(dash + 1).strip();
      long first;
      long last;
      if (a.isEmpty()) {
        // bytes=-N: the last N bytes.
        long n = Long.parseLong(b);
        if (n <= 0 || length == 0) {
          return UNSATISFIABLE;
        }
        first = Math.max(0, length - n);
        last = length - 1;
      } else {
        first = Long.parseLong(a);
        last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
        if (first < 0 || first >= length || last < first) {
          return UNSATISFIABLE;
        }
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      // A malformed Range header is ignored (RFC 9110 section 14.2).
      return null;
    }
  }
}
