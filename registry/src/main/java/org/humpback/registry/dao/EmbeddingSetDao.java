package org.humpback.registry.dao;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code embedding_sets} table. */
@RegisterConstructorMapper(EmbeddingSet.class)
public interface EmbeddingSetDao {

  /** Inserts; a second set for the same (audio file, signature) violates the unique constraint. */
  @SqlUpdate("""
      INSERT INTO embedding_sets (id, audio_file_id, encoding_signature, model_version, window_size_seconds,
                                  target_sample_rate, vector_dim, parquet_path, row_count, created_at)
      VALUES (:id, :audioFileId, :encodingSignature, :modelVersion, :windowSizeSeconds,
              :targetSampleRate, :vectorDim, :parquetPath, :rowCount, :createdAt)""")
  void insert(@BindMethods EmbeddingSet set);

  @SqlQuery("SELECT * FROM embedding_sets WHERE id = :id")
  Optional<EmbeddingSet> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM embedding_sets WHERE audio_file_id = :audioFileId AND encoding_signature = :signature")
  Optional<EmbeddingSet> findByAudioFileAndSignature(@Bind("audioFileId") String audioFileId, @Bind("signature") String encodingSignature);

  @SqlQuery("SELECT * FROM embedding_sets WHERE audio_file_id = :audioFileId ORDER BY created_at, id")
  List<EmbeddingSet> listByAudioFile(@Bind("audioFileId") String audioFileId);

  @SqlQuery("SELECT * FROM embedding_sets WHERE id IN (<ids>) ORDER BY created_at, id")
  List<EmbeddingSet> listByIds(@BindList(value = "ids", onEmpty = BindList.EmptyHandling.NULL_STRING) Collection<String> ids);

  @SqlQuery("SELECT * FROM embedding_sets ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
  List<EmbeddingSet> list(@Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT count(*) FROM embedding_sets WHERE model_version = :modelVersion")
  long countByModelVersion(@Bind("modelVersion") String modelVersion);

  @SqlUpdate("UPDATE embedding_sets SET row_count = :rowCount WHERE id = :id")
  int updateRowCount(@Bind("id") String id, @Bind("rowCount") long rowCount);

  @SqlUpdate("DELETE FROM embedding_sets WHERE id = :id")
  int delete(@Bind("id") String id);
}
