package org.humpback.transforms.model;

/**
 * A model that cannot be opened, probed or run: missing or truncated file, not a model of the
 * declared type, unknown input/output/signature name, ops the runtime lacks, or items of the
 * wrong length. The message names the model file and the problem.
 */
public final class ModelException extends RuntimeException {

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code "<path>: <problem>"}, the form every message in this package takes. */
  static ModelException of(String path, String problem) {
    return new ModelException(path + ": " + problem);
  }

  static ModelException of(String path, String problem, Throwable cause) {
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ModelException(path + ": " + problem + " (" + detail + ")", cause);
  }
}
