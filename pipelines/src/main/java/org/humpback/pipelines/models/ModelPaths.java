package org.humpback.pipelines.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.transforms.model.ModelType;

/**
 * Where model files may live: inside the models folder, or under one of the roots the operator
 * allowed ({@code HUMPBACK_ALLOWED_MODEL_ROOTS}). Paths are compared after normalisation and
 * symlink resolution, so neither {@code ../} nor a symlink can point a registration elsewhere.
 */
public final class ModelPaths {

  private final Path modelsDir;
  private final List<Path> allowedRoots;

  public ModelPaths(Path modelsDir, List<Path> allowedRoots) {
    this.modelsDir = modelsDir.toAbsolutePath().normalize();
    this.allowedRoots = allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  public Path modelsDir() {
    return modelsDir;
  }

  /**
   * The real, absolute path of a model the user named. A relative path resolves against the models
   * folder; an absolute one must lie in the models folder or an allowed root.
   *
   * @throws Refusal BAD_REQUEST when the path escapes, NOT_FOUND when it does not exist
   */
  public Path resolve(String userPath) {
    if (userPath == null || userPath.isBlank()) {
      throw Refusal.badRequest("Invalid model path: empty");
    }
    if (userPath.indexOf('\0') >= 0) {
      throw Refusal.badRequest("Invalid model path: contains a NUL character");
    }
    Path given;
    try {
      given = Path.of(userPath.strip());
    } catch (RuntimeException e) {
      throw Refusal.badRequest("Invalid model path: '" + userPath + "' (" + e.getMessage() + ")");
    }
    Path normal = (given.isAbsolute() ? given : modelsDir.resolve(given)).normalize();
    // Check the lexical path first: "../x" is refused even when the target does not exist.
    if (!isAllowed(normal, false)) {
      throw outside(userPath, normal);
    }
    Path real;
    try {
      real = normal.toRealPath();
    } catch (NoSuchFileException e) {
      throw Refusal.notFound("Model path not found: " + normal);
    } catch (IOException e) {
      throw Refusal.badRequest("Cannot read model path " + normal + ": " + e.getMessage());
    }
    if (!isAllowed(real, true)) {
      throw outside(userPath, real);
    }
    return real;
  }

  private boolean isAllowed(Path p, boolean real) {
    for (Path root : roots(real)) {
      if (p.startsWith(root) && !p.equals(root)) {
        return true;
      }
    }
    return false;
  }

  private List<Path> roots(boolean real) {
    List<Path> roots = new ArrayList<>();
    roots.add(modelsDir);
    roots.addAll(allowedRoots);
    if (!real) {
      return roots;
    }
    List<Path> realRoots = new ArrayList<>();
    for (Path r : roots) {
      try {
        realRoots.add(r.toRealPath());
      } catch (IOException e) {
        // A root that does not exist cannot contain anything.
      }
    }
    return realRoots;
  }

  private Refusal outside(String userPath, Path resolved) {
    return Refusal.badRequest("Model path '" + userPath + "' resolves to " + resolved
        + ", outside the models folder " + modelsDir
        + (allowedRoots.isEmpty() ? " (no other roots are allowed; an operator can add some with HUMPBACK_ALLOWED_MODEL_ROOTS)"
            : " and the allowed roots " + allowedRoots));
  }

  /** The runtime a path's form implies: .tflite, .onnx, or a folder holding saved_model.pb; null if none. */
  public static ModelType typeOf(Path path) {
    if (Files.isDirectory(path)) {
      return Files.isRegularFile(path.resolve("saved_model.pb")) ? ModelType.TF2_SAVED_MODEL : null;
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".tflite")) {
      return ModelType.TFLITE;
    }
    if (name.endsWith(".onnx")) {
      return ModelType.ONNX;
    }
    return null;
  }

  /** Bytes of a file, or of every file under a folder. */
  public static long sizeBytes(Path path) {
    try {
      if (!Files.isDirectory(path)) {
        return Files.size(path);
      }
      try (var files = Files.walk(path)) {
        return files.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            return 0;
          }
        }).sum();
      }
    } catch (IOException e) {
      return -1;
    }
  }
}
