package org.humpback.registry.dao;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code clusters} table. */
@RegisterConstructorMapper(Cluster.class)
public interface ClusterDao {

  @SqlUpdate("""
      INSERT INTO clusters (id, clustering_job_id, cluster_label, size, metadata_summary)
      VALUES (:id, :clusteringJobId, :clusterLabel, :size, :metadataSummary)""")
  void insert(@BindMethods Cluster cluster);

  @SqlBatch("""
      INSERT INTO clusters (id, clustering_job_id, cluster_label, size, metadata_summary)
      VALUES (:id, :clusteringJobId, :clusterLabel, :size, :metadataSummary)""")
  void insertAll(@BindMethods Iterable<Cluster> clusters);

  @SqlQuery("SELECT * FROM clusters WHERE id = :id")
  Optional<Cluster> findById(@Bind("id") String id);

  @SqlQuery("SELECT * FROM clusters WHERE clustering_job_id = :jobId ORDER BY cluster_label")
  List<Cluster> listByJob(@Bind("jobId") String clusteringJobId);

  @SqlUpdate("DELETE FROM clusters WHERE clustering_job_id = :jobId")
  int deleteByJob(@Bind("jobId") String clusteringJobId);
}
