package org.humpback.rest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.humpback.pipelines.StorageErrors;

/**
 * How the API shows the server's files: relative to the folder a client knows them by (the storage root for audio and
 * Parquet files, the models folder for models), never as absolute paths. {@link #scrub} does the same inside messages
 * (registry errors, job failures), so no response reveals where the server keeps its data.
 */
public final class ServerPaths {

  private final List<Path> roots;

  /** @param roots the folders paths are shown relative to, e.g. the storage root and the models folder */
  public ServerPaths(Path... roots) {
    List<Path> r = new ArrayList<>();
    for (Path p : roots) {
      if (p != null) {
        r.add(p.toAbsolutePath().normalize());
      }
    }
    // The deepest root first, so a models folder inside the storage root is named from itself.
    r.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    this.roots = List.copyOf(r);
  }

  /** {@code path} relative to its root ({@code a/b.parquet}), or its file name when under none; null stays null. */
  public String shown(String path) {
    if (path == null) {
      return null;
    }
    Path p;
    try {
      p = Path.of(path);
    } catch (RuntimeException e) {
      return scrub(path);
    }
    if (!p.isAbsolute()) {
      return path;
    }
    p = p.normalize();
    for (Path root : roots) {
      if (p.startsWith(root) && !p.equals(root)) {
        return root.relativize(p).toString();
      }
    }
    return p.getFileName() == null ? "" : p.getFileName().toString();
  }

  /** {@code message} with every absolute path shown as by {@link #shown}. */
  public String scrub(String message) {
    if (message == null) {
      return null;
    }
    String out = message;
    for (Path root : roots) {
      out = out.replace(root + "/", "");
    }
    return StorageErrors.withoutPaths(out);
  }
}
