package org.humpback.rest.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code multipart/form-data} body (RFC 7578) read part by part as it streams in. Part headers are decoded as UTF-8,
 * which is what browsers and curl send for a non-ASCII file name ({@code filename="鯨の歌 ñ.wav"}); RFC 5987's
 * {@code filename*=UTF-8''…} takes precedence when present. (Helidon's multipart reader decodes part headers as
 * US-ASCII, which turns every non-ASCII byte into U+FFFD before any code can see it.)
 *
 * <p>Not thread-safe; one instance per request. A body that breaks the format fails with {@link Malformed}.
 */
final class MultipartForm {

  /** The body does not follow the multipart format (no boundary, a part cut short, oversized headers). */
  static final class Malformed extends IOException {
    Malformed(String message) {
      super(message);
    }
  }

  /** One part: its form field name, the client's file name (if any), its headers, and its content as a stream. */
  record Part(String name, Optional<String> fileName, Map<String, String> headers, InputStream content) {}

  private static final int BUFFER = 64 * 1024;
  /** Bound on one part's header block: a form field's headers are a few hundred bytes. */
  private static final int MAX_HEADER_BYTES = 16 * 1024;

  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf;
  private int pos;
  private int lim;
  private boolean eof;
  private boolean finished;
  private PartStream current;

  /** @param boundary the {@code boundary} parameter of the request's {@code Content-Type} */
  MultipartForm(InputStream in, String boundary) throws Malformed {
    if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
      throw new Malformed("missing or invalid boundary parameter");
    }
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.buf = new byte[BUFFER + delimiter.length];
    // The first delimiter has no CRLF before it when there is no preamble: read the body as if it had one.
    buf[0] = '\r';
    buf[1] = '\n';
    lim = 2;
  }

  /** The next part, or empty after the closing delimiter; the previous part's unread content is skipped. */
  Optional<Part> next() throws IOException {
    if (current != null) {
      current.skipRest();
      current = null;
    } else if (!finished) {
      // The preamble: everything before the first delimiter.
      new PartStream().skipRest();
    }
    if (finished) {
      return Optional.empty();
    }
    Map<String, String> headers = readHeaders();
    String disposition = headers.get("content-disposition");
    if (disposition == null) {
      throw new Malformed("a part has no Content-Disposition header");
    }
    Map<String, String> params = parameters(disposition);
    String name = params.get("name");
    if (name == null) {
      throw new Malformed("a part has no name");
    }
    Optional<String> fileName = Optional.ofNullable(params.get("filename*")).map(MultipartForm::decodeExtValue)
        .or(() -> Optional.ofNullable(params.get("filename")));
    current = new PartStream();
    return Optional.of(new Part(name, fileName, headers, current));
  }

  /** After a delimiter: {@code --} ends the body, otherwise the rest of the line and a header block follow. */
  private Map<String, String> readHeaders() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    int total = 0;
    boolean first = true;
    while (true) {
      byte[] line = readLine(MAX_HEADER_BYTES - total);
      total += line.length + 2;
      if (first) {
        first = false;
        // The delimiter line may carry transport padding (spaces or tabs) before its CRLF.
        String rest = new String(line, StandardCharsets.ISO_8859_1).strip();
        if (!rest.isEmpty()) {
          throw new Malformed("unexpected data after a boundary");
        }
        continue;
      }
      if (line.length == 0) {
        return headers;
      }
      String text = utf8OrLatin1(line);
      int colon = text.indexOf(':');
      if (colon <= 0) {
        throw new Malformed("a part header without a colon");
      }
      headers.put(text.substring(0, colon).strip().toLowerCase(Locale.ROOT), text.substring(colon + 1).strip());
    }
  }

  /** One CRLF-terminated line without its CRLF. */
  private byte[] readLine(int max) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      if (pos == lim && !fill()) {
        throw new Malformed("the body ends inside a part's headers");
      }
      byte b = buf[pos++];
      if (b == '\n') {
        byte[] out = line.toByteArray();
        int n = out.length > 0 && out[out.length - 1] == '\r' ? out.length - 1 : out.length;
        return java.util.Arrays.copyOf(out, n);
      }
      line.write(b);
      if (line.size() > max) {
        throw new Malformed("a part's headers exceed " + MAX_HEADER_BYTES + " bytes");
      }
    }
  }

  /** Moves unread bytes to the start of the buffer and reads more; false at the end of the input. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      eof = true;
      return false;
    }
    lim += n;
    return true;
  }

  /** Index of the delimiter in {@code buf[pos..lim)}, or -1. */
  private int findDelimiter() {
    outer:
    for (int i = pos; i <= lim - delimiter.length; i++) {
      for (int j = 0; j < delimiter.length; j++) {
        if (buf[i + j] != delimiter[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A part's content: the bytes up to the next delimiter. */
  private final class PartStream extends InputStream {
    private boolean done;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      while (true) {
        int at = findDelimiter();
        if (at == pos) {
          endOfPart();
          return -1;
        }
        // Without a delimiter in view, the last delimiter.length - 1 bytes may start one: keep them.
        int safe = at >= 0 ? at : lim - (delimiter.length - 1);
        if (safe > pos) {
          int n = Math.min(len, safe - pos);
          System.arraycopy(buf, pos, b, off, n);
          pos += n;
          return n;
        }
        if (!fill()) {
          throw new Malformed("the body ends inside a part (no closing boundary)");
        }
      }
    }

    /** Consumes the delimiter and notes whether it was the closing one. */
    private void endOfPart() throws IOException {
      pos += delimiter.length;
      done = true;
      while (lim - pos < 2) {
        if (!fill()) {
          throw new Malformed("the body ends after a boundary");
        }
      }
      if (buf[pos] == '-' && buf[pos + 1] == '-') {
        finished = true;
      }
    }

    void skipRest() throws IOException {
      byte[] sink = new byte[8192];
      while (read(sink, 0, sink.length) >= 0) {
        // discard
      }
    }
  }

  /** A header line's bytes as UTF-8 when they are valid UTF-8, else as ISO-8859-1 (what older clients send). */
  private static String utf8OrLatin1(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }

  /** The parameters of a {@code Content-Disposition} value, names lower-cased, quoted values unquoted. */
  static Map<String, String> parameters(String value) {
    Map<String, String> params = new LinkedHashMap<>();
    List<String> pieces = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\' && i + 1 < value.length()) {
        cur.append(c).append(value.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        cur.append(c);
      } else if (c == ';' && !quoted) {
        pieces.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    pieces.add(cur.toString());
    for (String piece : pieces.subList(1, pieces.size())) {
      int eq = piece.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = piece.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String v = piece.substring(eq + 1).strip();
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        // Browsers escape only the quote (as \" or %22); a backslash before any other character is kept, as in
        // a Windows path, whose last segment is what the upload keeps.
        StringBuilder u = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
          char c = v.charAt(i);
          if (c == '\\' && i + 1 < v.length() - 1 && (v.charAt(i + 1) == '"' || v.charAt(i + 1) == '\\')) {
            u.append(v.charAt(++i));
          } else {
            u.append(c);
          }
        }
        v = u.toString();
      }
      params.putIfAbsent(key, v);
    }
    return params;
  }

  /** RFC 5987 {@code charset'language'percent-encoded}; an unknown charset or bad escape keeps the raw value. */
  static String decodeExtValue(String ext) {
    int q1 = ext.indexOf('\'');
    int q2 = q1 < 0 ? -1 : ext.indexOf('\'', q1 + 1);
    if (q2 < 0) {
      return ext;
    }
    Charset charset;
    try {
      charset = Charset.forName(ext.substring(0, q1).strip());
    } catch (RuntimeException e) {
      return ext;
    }
    String encoded = ext.substring(q2 + 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return ext;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '%') {
        return ext;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(charset);
  }
}
