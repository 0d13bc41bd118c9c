package org.humpback.rest;

import io.helidon.http.BadRequestException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.humpback.pipelines.StorageErrors;
import org.humpback.pipelines.jobs.Refusal;

/**
 * The one place failures become statuses. Every error body is {@code {"detail": "..."}}: exceptions thrown by
 * handlers ({@link #register}), and what Helidon answers itself before or outside routing, such as a malformed request
 * line, an oversized header or body, a URI too long, or no route for the path ({@link #directHandlers}). Stack traces
 * and server paths go to the log, never to the client.
 */
final class ErrorMapping {

  private static final Logger LOG = System.getLogger(ErrorMapping.class.getName());
  /** Longest Helidon message copied into a detail (they can quote the offending request). */
  private static final int MAX_MESSAGE = 200;

  private final RouteTable routes;
  private final ServerPaths paths;

  private ErrorMapping(RouteTable routes, ServerPaths paths) {
    this.routes = routes;
    this.paths = paths;
  }

  static void register(HttpRouting.Builder routing, RouteTable routes, ServerPaths paths) {
    ErrorMapping m = new ErrorMapping(routes, paths);
    routing
        .error(Refusal.class, m::refusal)
        .error(HttpException.class, m::httpException)
        .error(UncheckedIOException.class, (req, res, e) -> m.storage(req, res, e.getCause()))
        .error(IOException.class, m::storage)
        .error(IllegalArgumentException.class, (req, res, e) -> m.detail(res, Status.BAD_REQUEST_400, e.getMessage()))
        .error(Exception.class, ErrorMapping::unexpected);
  }

  /** Helidon's own answers outside routing, as JSON details with the statuses Helidon chose. */
  static DirectHandlers directHandlers(RouteTable routes, ServerPaths paths) {
    ErrorMapping m = new ErrorMapping(routes, paths);
    DirectHandlers.Builder b = DirectHandlers.builder();
    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
      b.addHandler(type, m::direct);
    }
    return b.build();
  }

  private DirectHandler.TransportResponse direct(DirectHandler.TransportRequest req, DirectHandler.EventType type,
      Status status, ServerResponseHeaders headers, String message) {
    String detail;
    if (status.code() == Status.NOT_FOUND_404.code()) {
      // Routing found no route: a known path with another method is a 405.
      Set<Method> allowed = routes.allowed(req.path());
      if (!allowed.isEmpty()) {
        headers.set(HeaderNames.ALLOW, allow(allowed));
        status = Status.METHOD_NOT_ALLOWED_405;
        detail = methodNotAllowed(req.method(), allowed);
      } else {
        detail = "Not found: " + clip(req.path());
      }
    } else if (status.code() == Status.INTERNAL_SERVER_ERROR_500.code()) {
      detail = "Internal server error";
    } else {
      detail = status.reasonPhrase() + (message == null || message.isBlank() ? "" : ": " + clip(message));
    }
    headers.set(HeaderNames.CONTENT_TYPE, "application/json");
    return DirectHandler.TransportResponse.builder()
        .status(status)
        .headers(headers)
        .keepAlive(type.keepAlive())
        .entity(Json.bytes(Map.of("detail", paths.scrub(detail))))
        .build();
  }

  /** Every detail goes out through here: server paths are shown relative to the folders clients know. */
  private void detail(ServerResponse res, Status status, String message) {
    Json.detail(res, status, paths.scrub(message));
  }

  /** The one place a refusal's kind becomes a status, for the service layer's refusals and the REST layer's alike. */
  private void refusal(ServerRequest req, ServerResponse res, Refusal e) {
    Status status = switch (e.kind()) {
      case BAD_REQUEST -> Status.BAD_REQUEST_400;
      case NOT_FOUND -> Status.NOT_FOUND_404;
      case CONFLICT -> Status.CONFLICT_409;
      case TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
      case INVALID -> Status.UNPROCESSABLE_CONTENT_422;
      case UNSUPPORTED_MEDIA -> Status.UNSUPPORTED_MEDIA_TYPE_415;
    };
    detail(res, status, e.getMessage());
  }

  private void httpException(ServerRequest req, ServerResponse res, HttpException e) {
    Status status = e.status();
    if (status.code() == Status.NOT_FOUND_404.code()) {
      // Helidon's own 404 (the static files answer GET for any path): 405 when another method has a route here.
      Set<Method> allowed = routes.allowed(req.path().path());
      if (!allowed.isEmpty() && !allowed.contains(req.prologue().method())) {
        res.header(HeaderNames.ALLOW, allow(allowed));
        detail(res, Status.METHOD_NOT_ALLOWED_405, methodNotAllowed(req.prologue().method().text(), allowed));
        return;
      }
      detail(res, status, "Not found: " + clip(req.path().path()));
      return;
    }
    // Helidon's malformed-request errors: keep the status, give it our body shape.
    String detail = e instanceof BadRequestException ? "Bad request: " + clip(e.getMessage()) : status.reasonPhrase();
    detail(res, status, detail);
  }

  /**
   * A storage failure (disk full, read-only storage, permissions): the detail names the cause as the operating system
   * reports it, never the server's path.
   */
  private void storage(ServerRequest req, ServerResponse res, IOException e) {
    LOG.log(Level.ERROR, "storage error on " + req.prologue().method().text() + " " + req.path().path(), e);
    String reason = StorageErrors.reason(e);
    Status status = StorageErrors.isNoSpace(e) ? Status.INSUFFICIENT_STORAGE_507 : Status.INTERNAL_SERVER_ERROR_500;
    detail(res, status, "Storage error: " + reason);
  }

  private static void unexpected(ServerRequest req, ServerResponse res, Exception e) {
    LOG.log(Level.ERROR, "unhandled error on " + req.prologue().method().text() + " " + req.path().path(), e);
    Json.detail(res, Status.INTERNAL_SERVER_ERROR_500, "Internal server error: " + e.getClass().getSimpleName());
  }

  private static String methodNotAllowed(String method, Set<Method> allowed) {
    return "Method not allowed: " + clip(method) + " (allowed: " + allow(allowed) + ")";
  }

  private static String allow(Set<Method> allowed) {
    return allowed.stream().map(Method::text).collect(Collectors.joining(", "));
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
  }
}
