package org.humpback.pipelines.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.humpback.pipelines.EncodingSignature;
import org.humpback.pipelines.StorageErrors;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;

/**
 * Imports recordings into the registry, for the command line ({@link #importFile}) and for uploads
 * ({@link #importUpload}) alike: the container is told from the first bytes ({@link AudioFormat}), never from the
 * file's name; the SHA-256 of the bytes identifies a recording (the same bytes twice give the first row); a copy is
 * kept at {@code <storageRoot>/audio/raw/<id>/original.<ext>} (the extension from the bytes), so later jobs do not
 * depend on the user's file staying where it was; and the decoder's probe gives duration, rate and channels. A file
 * that is refused leaves nothing behind.
 */
public final class AudioImport {

  private final Database db;
  private final Path storageRoot;
  private final AudioProbe probe;

  /** An importer that probes with FFmpeg. */
  public AudioImport(Database db, Path storageRoot) {
    this(db, storageRoot, AudioProbe.FFMPEG);
  }

  public AudioImport(Database db, Path storageRoot, AudioProbe probe) {
    this.db = db;
    this.storageRoot = storageRoot.toAbsolutePath().normalize();
    this.probe = probe;
  }

  /** What importing one file did. */
  public record Imported(AudioFile file, boolean isNew) {}

  /**
   * Imports a file the user names; it is copied, never moved.
   *
   * @param source the user's audio file
   * @param folderPath the folder label stored with it (the folder given on the command line), or {@code null}
   * @throws Refusal BAD_REQUEST when it is no readable file, UNSUPPORTED_MEDIA when its bytes are no audio container
   *     humpback reads or FFmpeg cannot decode them (nothing is stored)
   */
  public Imported importFile(Path source, String folderPath) {
    if (!Files.isRegularFile(source) || !Files.isReadable(source)) {
      throw Refusal.badRequest("Invalid audio file: " + source + " (not a readable file)");
    }
    AudioFormat format;
    try {
      format = AudioFormat.of(source).orElseThrow(() -> Refusal.unsupportedMedia(AudioFormat.NOT_AUDIO));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + source, e);
    }
    return store(source, false, EncodingSignature.fileSha256(source), format, source.getFileName().toString(),
        folderPath);
  }

  /**
   * Imports an upload already received into a temporary file inside the storage root (hashed and sniffed while it
   * streamed); the temporary file is moved into place or deleted.
   */
  public Imported importUpload(Path tempFile, String sha256, AudioFormat format, String filename, String folderPath) {
    return store(tempFile, true, sha256, format, filename, folderPath);
  }

  private Imported store(Path source, boolean move, String sha256, AudioFormat format, String filename,
      String folderPath) {
    AudioFileDao dao = db.dao(AudioFileDao.class);
    Optional<AudioFile> existing = dao.findBySha256(sha256);
    if (existing.isPresent() && existing.get().storedPath() != null
        && Files.exists(Path.of(existing.get().storedPath()))) {
      if (move) {
        deleteQuietly(source);
      }
      return new Imported(existing.get(), false);
    }
    // A known recording whose stored copy is gone gets a new copy under its own id.
    String id = existing.map(AudioFile::id).orElseGet(Ids::newId);
    Path stored = place(source, move, id, format);
    try {
      AudioProbe.Info info;
      try {
        info = probe.probe(stored);
      } catch (Exception e) {
        throw new Refusal(Refusal.Kind.UNSUPPORTED_MEDIA, "Unsupported media: the " + format.extension()
            + " file cannot be decoded (" + StorageErrors.withoutPaths(String.valueOf(e.getMessage())) + ")", e);
      }
      if (existing.isPresent()) {
        dao.updateStoredPath(id, stored.toString());
        return new Imported(dao.findById(id).orElseThrow(), false);
      }
      AudioFile row = dao.insertOrGetBySha256(new AudioFile(id, filename, folderPath, sha256, info.durationSeconds(),
          info.sampleRate(), info.channels(), stored.toString(), Timestamps.now()));
      if (!row.id().equals(id)) {
        // A concurrent import of the same bytes won the insert; keep its file, drop ours.
        removePlaced(id);
      }
      return new Imported(row, row.id().equals(id));
    } catch (RuntimeException e) {
      removePlaced(id);
      throw e;
    }
  }

  /** {@code raw/{id}/original.{ext}}, written through a temporary name and an atomic move. */
  private Path place(Path source, boolean move, String id, AudioFormat format) {
    Path dir = rawDir(id);
    Path target = dir.resolve("original." + format.extension());
    try {
      Files.createDirectories(dir);
      if (move) {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Path tmp = Files.createTempFile(dir, ".original", ".tmp");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      if (move) {
        deleteQuietly(source);
      }
      throw new UncheckedIOException("Cannot store a copy of " + source + " at " + target, e);
    }
  }

  /** Where the stored copy of recording {@code id} lives. */
  public Path rawDir(String id) {
    if (!id.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("Invalid audio file id: '" + id + "'");
    }
    return storageRoot.resolve("audio").resolve("raw").resolve(id);
  }

  private void removePlaced(String id) {
    Path dir = rawDir(id);
    try (var files = Files.list(dir)) {
      files.forEach(AudioImport::deleteQuietly);
    } catch (IOException e) {
      // nothing to list: nothing to remove
    }
    deleteQuietly(dir);
  }

  /** Deletes a file if it is there; a failure is left for the next sweep. */
  public static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // best effort
    }
  }
}
