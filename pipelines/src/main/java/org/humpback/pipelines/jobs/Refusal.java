package org.humpback.pipelines.jobs;

/**
 * A request the service layer refuses (model registry, import, encoding and clustering requests), with the HTTP-like
 * kind the REST layer maps to a status and a message that names the offending value. The command line prints the
 * message; REST answers it as the JSON {@code detail}. One type for every refusal, whoever asked.
 */
public final class Refusal extends RuntimeException {

  /** Which 4xx status the refusal corresponds to. */
  public enum Kind {
    /** 400: the request contradicts itself or the model, or a value is invalid. */
    BAD_REQUEST,
    /** 404: no such model (or file). */
    NOT_FOUND,
    /** 409: the request conflicts with the stored state (name taken, model in use). */
    CONFLICT,
    /** 422: a field of the request holds a value out of its range or of the wrong shape. */
    INVALID,
    /** 415: the content is no audio container humpback reads. */
    UNSUPPORTED_MEDIA
  }

  private final Kind kind;

  public Refusal(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Refusal(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public static Refusal badRequest(String message) {
    return new Refusal(Kind.BAD_REQUEST, message);
  }

  public static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, message);
  }

  public static Refusal conflict(String message) {
    return new Refusal(Kind.CONFLICT, message);
  }

  public static Refusal invalid(String message) {
    return new Refusal(Kind.INVALID, message);
  }

  public static Refusal unsupportedMedia(String message) {
    return new Refusal(Kind.UNSUPPORTED_MEDIA, message);
  }

  public Kind kind() {
    return kind;
  }
}
