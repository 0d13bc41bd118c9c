package org.humpback.registry.dao;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The {@code cluster_assignments} table. */
@RegisterConstructorMapper(ClusterAssignment.class)
public interface ClusterAssignmentDao {

  @SqlBatch("""
      INSERT INTO cluster_assignments (id, cluster_id, embedding_set_id, embedding_row_index, start_s, end_s, umap_x, umap_y)
      VALUES (:id, :clusterId, :embeddingSetId, :embeddingRowIndex, :startS, :endS, :umapX, :umapY)""")
  void insertAll(@BindMethods Iterable<ClusterAssignment> assignments);

  @SqlQuery("""
      SELECT * FROM cluster_assignments WHERE cluster_id = :clusterId
      ORDER BY embedding_set_id, embedding_row_index LIMIT :limit OFFSET :offset""")
  List<ClusterAssignment> listByCluster(@Bind("clusterId") String clusterId, @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT count(*) FROM cluster_assignments WHERE cluster_id = :clusterId")
  long countByCluster(@Bind("clusterId") String clusterId);

  /** Every assignment of a clustering job, page by page. */
  @SqlQuery("""
      SELECT a.* FROM cluster_assignments a JOIN clusters c ON c.id = a.cluster_id
      WHERE c.clustering_job_id = :jobId
      ORDER BY c.cluster_label, a.embedding_set_id, a.embedding_row_index LIMIT :limit OFFSET :offset""")
  List<ClusterAssignment> listByJob(@Bind("jobId") String clusteringJobId, @Bind("limit") int limit, @Bind("offset") int offset);
}
