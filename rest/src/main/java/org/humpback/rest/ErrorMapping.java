package org.humpback.rest;

import io.helidon.http.BadRequestException;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import org.humpback.registry.models.RegistryException;
import java.lang.System.Logger.Level;

/**
 * The one place exceptions become statuses. Every error body is {@code {"detail": "..."}}; stack traces go to the log,
 * never to the client.
 */
final class ErrorMapping {

  private static final Logger LOG = System.getLogger(ErrorMapping.class.getName());

  private ErrorMapping() {}

  static void register(HttpRouting.Builder routing) {
    routing
        .error(ApiException.class, (req, res, e) -> Json.detail(res, e.status(), e.getMessage()))
        .error(RegistryException.class, ErrorMapping::registryException)
        .error(HttpException.class, ErrorMapping::httpException)
        .error(IllegalArgumentException.class, (req, res, e) -> Json.detail(res, Status.BAD_REQUEST_400, e.getMessage()))
        .error(Exception.class, ErrorMapping::unexpected);
  }

  private static void registryException(ServerRequest req, ServerResponse res, RegistryException e) {
    Status status = switch (e.kind()) {
      case BAD_REQUEST -> Status.BAD_REQUEST_400;
      case NOT_FOUND -> Status.NOT_FOUND_404;
      case CONFLICT -> Status.CONFLICT_409;
    };
    Json.detail(res, status, e.getMessage());
  }

  private static void httpException(ServerRequest req, ServerResponse res, HttpException e) {
    Status status = e.status();
    // Helidon's own 404s/405s and malformed-request errors: keep the status, give it our body shape.
    String detail = e instanceof BadRequestException ? "Bad request: " + e.getMessage()
        : status == Status.NOT_FOUND_404 ? "Not found: " + req.path().path()
        : status.reasonPhrase();
    Json.detail(res, status, detail);
  }

  private static void unexpected(ServerRequest req, ServerResponse res, Exception e) {
    LOG.log(Level.ERROR, "unhandled error on " + req.prologue().method().text() + " " + req.path().path(), e);
    Json.detail(res, Status.INTERNAL_SERVER_ERROR_500, "Internal server error: " + e.getClass().getSimpleName());
  }
}
