package org.humpback.registry.db;

import java.util.List;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobMapper;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Whole tables page by page in primary-key order ({@code id > :after}), for {@link RegistryCopy}:
 * the order is the same on both databases (SQLite compares text byte-wise, the PostgreSQL schema
 * declares {@code COLLATE "C"}), so a copy can resume after the last id it wrote. Rows are written
 * through each table's own DAO.
 */
@RegisterConstructorMapper(ModelRecord.class)
@RegisterConstructorMapper(AudioFile.class)
@RegisterConstructorMapper(AudioMetadata.class)
@RegisterRowMapper(ProcessingJobMapper.class)
@RegisterConstructorMapper(EmbeddingSet.class)
@RegisterConstructorMapper(ClusteringJob.class)
@RegisterConstructorMapper(Cluster.class)
@RegisterConstructorMapper(ClusterAssignment.class)
public interface RegistryCopyDao {

  /** An {@code app_state} row. */
  record AppState(String key, String value) {}

  @SqlQuery("SELECT * FROM models WHERE id > :after ORDER BY id LIMIT :limit")
  List<ModelRecord> models(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM audio_files WHERE id > :after ORDER BY id LIMIT :limit")
  List<AudioFile> audioFiles(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM audio_metadata WHERE id > :after ORDER BY id LIMIT :limit")
  List<AudioMetadata> audioMetadata(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM processing_jobs WHERE id > :after ORDER BY id LIMIT :limit")
  List<ProcessingJob> processingJobs(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM embedding_sets WHERE id > :after ORDER BY id LIMIT :limit")
  List<EmbeddingSet> embeddingSets(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM clustering_jobs WHERE id > :after ORDER BY id LIMIT :limit")
  List<ClusteringJob> clusteringJobs(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM clusters WHERE id > :after ORDER BY id LIMIT :limit")
  List<Cluster> clusters(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT * FROM cluster_assignments WHERE id > :after ORDER BY id LIMIT :limit")
  List<ClusterAssignment> clusterAssignments(@Bind("after") String after, @Bind("limit") int limit);

  @SqlQuery("SELECT key, value FROM app_state WHERE key > :after ORDER BY key LIMIT :limit")
  @RegisterConstructorMapper(AppState.class)
  List<AppState> appState(@Bind("after") String after, @Bind("limit") int limit);

  /** Rows of a table; {@code table} comes from {@link RegistryCopy}'s list, never from input. */
  @SqlQuery("SELECT count(*) FROM <table>")
  long count(@Define("table") String table);

  /** The greatest key written so far (null when none): where an interrupted copy resumes. */
  @SqlQuery("SELECT max(<key>) FROM <table>")
  String maxKey(@Define("table") String table, @Define("key") String keyColumn);
}
