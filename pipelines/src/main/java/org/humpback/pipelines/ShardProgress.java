package org.humpback.pipelines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Windows embedded per shard, kept as one small file per shard in the run folder
 * ({@code <run>/progress/<file>-<first window>}, the count in decimal). It is how progress reaches
 * the launching JVM from workers that are not in it (a remote Flink cluster, whose counters arrive
 * only when the job ends): the run folder is on storage every worker already shares, as the cancel
 * marker and the Parquet output are. A retried shard rewrites its own file from zero, so the sum
 * never counts a window twice. {@link LiveProgress} stays the per-batch figure for in-JVM workers.
 */
final class ShardProgress {

  /** How often a shard rewrites its file while it runs (and once more when it ends). */
  static final long WRITE_INTERVAL_NANOS = 1_000_000_000L;

  private ShardProgress() {}

  /** The progress folder of the run whose cancel marker is {@code cancelMarker}. */
  static Path dir(String cancelMarker) {
    return Path.of(cancelMarker).resolveSibling("progress");
  }

  /** Sum of every shard's count; 0 when nothing was written yet. Unreadable files count as 0. */
  static long total(String cancelMarker) {
    if (cancelMarker == null) {
      return 0;
    }
    long sum = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(cancelMarker), f -> !f.toString().endsWith(".tmp"))) {
      for (Path f : files) {
        try {
          sum += Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
          // Removed or replaced while listed: the next poll reads it.
        }
      }
    } catch (IOException e) { // no progress folder yet (NoSuchFileException) or unreadable
      return 0;
    }
    return sum;
  }

  /** One shard's count: {@link #add} per batch, {@link #flush} at the end. Not thread-safe (one per shard). */
  static final class Writer {
    private final Path file;
    private long count;
    private long written = -1;
    private long lastWriteNanos;

    /** @param cancelMarker the run's marker; null = no run folder, nothing is written */
    Writer(String cancelMarker, String sourceId, long firstWindow) {
      this.file = cancelMarker == null ? null
          : dir(cancelMarker).resolve(sourceId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + firstWindow);
      this.lastWriteNanos = System.nanoTime();
    }

    void add(long windows) {
      count += windows;
      if (System.nanoTime() - lastWriteNanos >= WRITE_INTERVAL_NANOS) {
        flush();
      }
    }

    /**
     * Writes the count (temp file + atomic rename, so a reader sees the old or the new figure).
     * Progress is advisory: a failed write is retried at the next one and never fails the shard.
     */
    void flush() {
      lastWriteNanos = System.nanoTime();
      if (file == null || count == written) {
        return;
      }
      try {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(count), StandardCharsets.US_ASCII);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        written = count;
      } catch (IOException e) {
        // The run folder may already be gone (a cancelled run): nothing to report to.
      }
    }
  }
}
