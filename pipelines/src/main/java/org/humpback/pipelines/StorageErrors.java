package org.humpback.pipelines;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a storage failure (a full disk, a read-only storage root, missing permissions) means, in words a user can act
 * on and without the server's paths: the operating system's reason ("No space left on device") is what a job's error
 * message and an API error detail show.
 */
public final class StorageErrors {

  /** An absolute path inside a message: kept out of what clients see. */
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.])/[^\\s:;,'\"()\\[\\]]+");

  private StorageErrors() {}

  /** The innermost I/O reason in {@code t}'s causes, without paths; empty when no I/O error is among them. */
  public static Optional<String> reasonIn(Throwable t) {
    String found = null;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof FileSystemException fse && fse.getReason() != null) {
        found = fse.getReason();
      } else if (c instanceof IOException && c.getMessage() != null && !c.getMessage().isBlank()) {
        found = c.getMessage();
      }
    }
    return Optional.ofNullable(found).map(StorageErrors::withoutPaths);
  }

  /** {@link #reasonIn(Throwable)}, or the exception's type when the causes carry no message. */
  public static String reason(IOException e) {
    return reasonIn(e).orElse(e.getClass().getSimpleName());
  }

  /** Whether the failure is a full disk (or quota). */
  public static boolean isNoSpace(Throwable t) {
    return reasonIn(t).map(r -> r.contains("No space left on device") || r.contains("Disk quota exceeded"))
        .orElse(false);
  }

  /**
   * Why {@code dir} cannot take a new file right now ("No space left on device", "Read-only file system"), found by
   * writing and removing a small file in it; empty when it can. For a failure whose own exception was lost (a runner
   * reporting only its end state).
   */
  public static Optional<String> probeWritable(Path dir) {
    Path probe = null;
    try {
      Files.createDirectories(dir);
      probe = Files.createTempFile(dir, ".write-probe-", ".tmp");
      Files.write(probe, new byte[64 * 1024]);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(reason(e));
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException e) {
          // the probe is tiny; a read-only or full disk is what is being reported anyway
        }
      }
    }
  }

  /**
   * {@code message} with the server's absolute paths replaced by their last segment. A path counts as the server's
   * when its first segment is a folder at the file system's root ({@code /tmp/…}, {@code /home/…}), so URL paths such
   * as {@code /admin/models} in a message stay as they are.
   */
  public static String withoutPaths(String message) {
    return ABSOLUTE_PATH.matcher(message).replaceAll(m -> {
      String p = m.group();
      int second = p.indexOf('/', 1);
      String first = second < 0 ? p.substring(1) : p.substring(1, second);
      if (!isTopLevelFolder(first)) {
        return java.util.regex.Matcher.quoteReplacement(p);
      }
      String last = p.substring(p.lastIndexOf('/', p.length() - 2) + 1);
      return java.util.regex.Matcher.quoteReplacement(last.isEmpty() ? "…" : last);
    });
  }

  private static boolean isTopLevelFolder(String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return false;
    }
    try {
      return Files.isDirectory(Path.of("/", name));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
