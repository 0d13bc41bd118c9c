package org.humpback.rest;

import io.helidon.http.Status;

/**
 * A request the API refuses, with the status and the {@code detail} the client sees. Thrown by services and mapped to
 * {@code {"detail": ...}} in {@link ErrorMapping}, the one place statuses are chosen for exceptions.
 */
public final class ApiException extends RuntimeException {

  private final Status status;

  public ApiException(Status status, String detail) {
    super(detail);
    this.status = status;
  }

  public Status status() {
    return status;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(Status.BAD_REQUEST_400, detail);
  }

  public static ApiException notFound(String what, String id) {
    return new ApiException(Status.NOT_FOUND_404, what + " not found: " + id);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(Status.CONFLICT_409, detail);
  }

  public static ApiException tooLarge(String detail) {
    return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, detail);
  }

  public static ApiException unsupportedMedia(String detail) {
    return new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, detail);
  }

  /** A body that is not valid JSON, has a wrong type, or misses a required field: FastAPI's 422. */
  public static ApiException unprocessable(String detail) {
    return new ApiException(Status.UNPROCESSABLE_CONTENT_422, detail);
  }
}
