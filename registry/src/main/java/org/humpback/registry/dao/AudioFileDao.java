package org.humpback.registry.dao;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code audio_files} table. */
@RegisterConstructorMapper(AudioFile.class)
public interface AudioFileDao {

  @SqlUpdate("""
      INSERT INTO audio_files (id, filename, folder_path, checksum_sha256, duration_seconds, sample_rate_original,
                               channels, stored_path, created_at)
      VALUES (:id, :filename, :folderPath, :checksumSha256, :durationSeconds, :sampleRateOriginal,
              :channels, :storedPath, :createdAt)""")
  void insert(@BindMethods AudioFile file);

  /**
   * Inserts unless a file with the same checksum exists; returns the stored row either way
   * (race-free: the unique checksum decides).
   */
  default AudioFile insertOrGetBySha256(AudioFile file) {
    insertIfAbsent(file);
    return findBySha256(file.checksumSha256()).orElseThrow();
  }

  @SqlUpdate("""
      INSERT INTO audio_files (id, filename, folder_path, checksum_sha256, duration_seconds, sample_rate_original,
                               channels, stored_path, created_at)
      VALUES (:id, :filename, :folderPath, :checksumSha256, :durationSeconds, :sampleRateOriginal,
              :channels, :storedPath, :createdAt)
      ON CONFLICT (checksum_sha256) DO NOTHING""")
  int insertIfAbsent(@BindMethods AudioFile file);

  @SqlQuery("SELECT * FROM audio_files WHERE id = :id")
  Optional<AudioFile> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM audio_files WHERE checksum_sha256 = :sha256")
  Optional<AudioFile> findBySha256(@Bind("sha256") String sha256);

  @SqlQuery("SELECT * FROM audio_files ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
  List<AudioFile> list(@Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT * FROM audio_files WHERE folder_path = :folder ORDER BY filename, id")
  List<AudioFile> listByFolder(@Bind("folder") String folderPath);

  @SqlQuery("SELECT count(*) FROM audio_files")
  long count();

  @SqlUpdate("UPDATE audio_files SET stored_path = :storedPath WHERE id = :id")
  int updateStoredPath(@Bind("id") String id, @Bind("storedPath") String storedPath);

  /** Deletes the file and (cascading) its metadata, jobs and embedding sets. */
  @SqlUpdate("DELETE FROM audio_files WHERE id = :id")
  int delete(@Bind("id") String id);
}
