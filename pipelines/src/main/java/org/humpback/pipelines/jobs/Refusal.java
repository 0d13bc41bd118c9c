package org.humpback.pipelines.jobs;

/**
 * A request refused for what it asks (model registry, import, encoding and clustering requests in the service layer;
 * a body, query parameter or upload in the REST layer), with the HTTP-like kind the REST layer maps to a status and a
 * message that names the offending value. The command line prints the message; REST answers it as the JSON
 * {@code detail}. One type for every refusal, whoever asked. A fault of the server (storage, a stored file that no
 * longer decodes) is no refusal and is not thrown as one.
 */
public final class Refusal extends RuntimeException {

  /** Which 4xx status the refusal corresponds to. */
  public enum Kind {
    /** 400: the request contradicts itself or the model, or a value is invalid. */
    BAD_REQUEST,
    /** 404: no such model, file, job or other stored item. */
    NOT_FOUND,
    /** 409: the request conflicts with the stored state (name taken, model in use, job not finished). */
    CONFLICT,
    /** 413: the upload is larger than the server takes. */
    TOO_LARGE,
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

  /** {@code "<what> not found: <id>"}, e.g. "Audio file not found: 42". */
  public static Refusal notFound(String what, Object id) {
    return notFound(what + " not found: " + id);
  }

  public static Refusal conflict(String message) {
    return new Refusal(Kind.CONFLICT, message);
  }

  public static Refusal tooLarge(String message) {
    return new Refusal(Kind.TOO_LARGE, message);
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
