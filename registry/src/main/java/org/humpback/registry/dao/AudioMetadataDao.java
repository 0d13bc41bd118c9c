package org.humpback.registry.dao;

import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** The {@code audio_metadata} table: at most one row per audio file. */
@RegisterConstructorMapper(AudioMetadata.class)
public interface AudioMetadataDao {

  @SqlQuery("SELECT * FROM audio_metadata WHERE audio_file_id = :audioFileId")
  Optional<AudioMetadata> findByAudioFileId(@Bind("audioFileId") String audioFileId);

  /**
   * Creates or updates the metadata of {@code m.audioFileId()}. A {@code null} field is left as it
   * was (a partial update, like a PATCH); the row id is kept when the row exists.
   */
  @Transaction
  default AudioMetadata upsert(AudioMetadata m) {
    upsertRow(m.id() == null ? new AudioMetadata(Ids.newId(), m.audioFileId(), m.tagData(), m.visualObservations(),
        m.groupComposition(), m.preyDensityProxy()) : m);
    return findByAudioFileId(m.audioFileId()).orElseThrow();
  }

  @SqlUpdate("""
      INSERT INTO audio_metadata (id, audio_file_id, tag_data, visual_observations, group_composition, prey_density_proxy)
      VALUES (:id, :audioFileId, :tagData, :visualObservations, :groupComposition, :preyDensityProxy)
      ON CONFLICT (audio_file_id) DO UPDATE SET
          tag_data            = coalesce(excluded.tag_data, audio_metadata.tag_data),
          visual_observations = coalesce(excluded.visual_observations, audio_metadata.visual_observations),
          group_composition   = coalesce(excluded.group_composition, audio_metadata.group_composition),
          prey_density_proxy  = coalesce(excluded.prey_density_proxy, audio_metadata.prey_density_proxy)""")
  void upsertRow(@BindMethods AudioMetadata m);

  @SqlUpdate("DELETE FROM audio_metadata WHERE audio_file_id = :audioFileId")
  int deleteByAudioFileId(@Bind("audioFileId") String audioFileId);
}
