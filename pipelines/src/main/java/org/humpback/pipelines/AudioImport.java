package org.humpback.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioInfo;

/**
 * Imports a recording into the registry: SHA-256 of its bytes identifies it (importing the same
 * bytes twice returns the first row), FFmpeg's probe gives duration, rate and channels, and a copy
 * is kept at {@code <storageRoot>/audio/raw/<id>/original.<ext>} so later jobs do not depend on the
 * user's file staying where it was.
 */
public final class AudioImport {

  private final Database db;
  private final Path storageRoot;

  public AudioImport(Database db, Path storageRoot) {
    this.db = db;
    this.storageRoot = storageRoot.toAbsolutePath().normalize();
  }

  /** What importing one file did. */
  public record Imported(AudioFile file, boolean isNew) {}

  /**
   * @param source the user's audio file
   * @param folderPath the folder label stored with it (the folder given on the command line), or {@code null}
   * @throws AudioDecodeException when FFmpeg cannot read it as audio (nothing is stored)
   */
  public Imported importFile(Path source, String folderPath) throws AudioDecodeException {
    if (!Files.isRegularFile(source)) {
      throw new IllegalArgumentException("Invalid audio file: " + source + " (not a readable file)");
    }
    String sha = EncodingSignature.fileSha256(source);
    AudioFileDao dao = db.dao(AudioFileDao.class);
    var existing = dao.findBySha256(sha);
    if (existing.isPresent() && existing.get().storedPath() != null && Files.exists(Path.of(existing.get().storedPath()))) {
      return new Imported(existing.get(), false);
    }
    AudioInfo info = AudioDecoder.probe(source);
    AudioFile candidate = new AudioFile(Ids.newId(), source.getFileName().toString(), folderPath, sha,
        info.durationSeconds(), info.sampleRate(), info.channels(), null, Timestamps.now());
    AudioFile row = dao.insertOrGetBySha256(candidate);
    Path stored = storageRoot.resolve("audio/raw").resolve(row.id()).resolve("original" + extension(source));
    try {
      Files.createDirectories(stored.getParent());
      if (!Files.exists(stored)) {
        Path tmp = Files.createTempFile(stored.getParent(), ".original", ".tmp");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, stored, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot store a copy of " + source + " at " + stored, e);
    }
    dao.updateStoredPath(row.id(), stored.toString());
    AudioFile updated = dao.findById(row.id()).orElseThrow();
    return new Imported(updated, row.id().equals(candidate.id()));
  }

  private static String extension(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot <= 0 || dot == n.length() - 1 ? "" : n.substring(dot).toLowerCase(Locale.ROOT);
  }
}
