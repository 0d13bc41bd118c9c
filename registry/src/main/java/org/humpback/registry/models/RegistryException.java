package org.humpback.registry.models;

/**
 * A request the registry refuses, with the HTTP-like kind the REST layer maps to a status and a
 * message that names the offending value.
 */
public final class RegistryException extends RuntimeException {

  /** Which 4xx status the refusal corresponds to. */
  public enum Kind {
    /** 400: the request contradicts itself or the model, or a value is invalid. */
    BAD_REQUEST,
    /** 404: no such model (or file). */
    NOT_FOUND,
    /** 409: the request conflicts with the stored state (name taken, model in use). */
    CONFLICT
  }

  private final Kind kind;

  public RegistryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public RegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public static RegistryException badRequest(String message) {
    return new RegistryException(Kind.BAD_REQUEST, message);
  }

  public static RegistryException notFound(String message) {
    return new RegistryException(Kind.NOT_FOUND, message);
  }

  public static RegistryException conflict(String message) {
    return new RegistryException(Kind.CONFLICT, message);
  }

  public Kind kind() {
    return kind;
  }
}
