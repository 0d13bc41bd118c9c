package org.humpback.rest;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * With {@code HUMPBACK_API_TOKEN} set, every request needs {@code Authorization: Bearer <token>}; otherwise 401 with a
 * JSON detail. Open without it: {@code GET /health}, so probes need no secret, and the web page's static files (a
 * browser cannot add a header to a page load; they hold no data, and the page sends the token on every API call).
 */
final class BearerTokenFilter implements Filter {

  private static final String PREFIX = "Bearer ";
  private static final Set<String> OPEN_PATHS = Set.of("/health", "/", "/index.html", "/app.js", "/style.css");
  private final byte[] expected;

  BearerTokenFilter(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("Invalid api token: empty");
    }
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    if (OPEN_PATHS.contains(req.path().path()) && (req.prologue().method() == Method.GET
        || req.prologue().method() == Method.HEAD)) {
      chain.proceed();
      return;
    }
    String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
    boolean ok = header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        // Constant-time comparison: the token must not leak through response timing.
        && MessageDigest.isEqual(expected, header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
      Json.detail(res, Status.UNAUTHORIZED_401,
          header.isEmpty() ? "Not authenticated: send Authorization: Bearer <HUMPBACK_API_TOKEN>" : "Invalid token");
      return;
    }
    chain.proceed();
  }
}
