package org.humpback.registry.dao;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** The {@code models} table. */
@RegisterConstructorMapper(ModelRecord.class)
public interface ModelDao {

  @SqlUpdate("""
      INSERT INTO models (id, name, display_name, path, vector_dim, description, is_default, model_type, input_format,
                          sample_rate, window_seconds, front_end_config, input_name, output_name, signature_name,
                          transpose_spectrogram, model_sha256, created_at, updated_at)
      VALUES (:id, :name, :displayName, :path, :vectorDim, :description, :isDefault, :modelType, :inputFormat,
              :sampleRate, :windowSeconds, :frontEndConfig, :inputName, :outputName, :signatureName,
              :transposeSpectrogram, :modelSha256, :createdAt, :updatedAt)""")
  void insert(@BindMethods ModelRecord model);

  /** Updates every column but id, created_at and is_default (see {@link #setDefault}). */
  @SqlUpdate("""
      UPDATE models SET name = :name, display_name = :displayName, path = :path, vector_dim = :vectorDim,
             description = :description, model_type = :modelType, input_format = :inputFormat,
             sample_rate = :sampleRate, window_seconds = :windowSeconds, front_end_config = :frontEndConfig,
             input_name = :inputName, output_name = :outputName, signature_name = :signatureName,
             transpose_spectrogram = :transposeSpectrogram, model_sha256 = :modelSha256, updated_at = :updatedAt
      WHERE id = :id""")
  int update(@BindMethods ModelRecord model);

  @SqlQuery("SELECT * FROM models WHERE id = :id")
  Optional<ModelRecord> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM models WHERE name = :name")
  Optional<ModelRecord> findByName(@Bind("name") String name);

  @SqlQuery("SELECT * FROM models WHERE is_default = 1")
  Optional<ModelRecord> findDefault();

  @SqlQuery("SELECT * FROM models ORDER BY name")
  List<ModelRecord> list();

  @SqlQuery("SELECT count(*) FROM models")
  long count();

  @SqlUpdate("DELETE FROM models WHERE id = :id")
  int delete(@Bind("id") String id);

  /** How many embedding sets were made with the model of this name. */
  @SqlQuery("SELECT count(*) FROM embedding_sets WHERE model_version = :name")
  long countEmbeddingSetsOf(@Bind("name") String name);

  @SqlUpdate("UPDATE models SET is_default = 0 WHERE is_default = 1")
  int clearDefault();

  @SqlUpdate("UPDATE models SET is_default = 1 WHERE id = :id")
  int markDefault(@Bind("id") String id);

  /** Makes {@code id} the one default model, in one transaction; false if no such model. */
  @Transaction
  default boolean setDefault(String id) {
    if (findById(id).isEmpty()) {
      return false;
    }
    clearDefault();
    return markDefault(id) == 1;
  }

  /** Inserts a model and, when it claims to be the default, takes the default from any other. */
  @Transaction
  default void insertAsDefault(ModelRecord model) {
    clearDefault();
    insert(model.withDefault(true));
  }
}
