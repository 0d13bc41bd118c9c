package org.humpback.registry.dao;

/**
 * One window's membership in a cluster (a row of {@code cluster_assignments}).
 *
 * @param embeddingRowIndex the row of the window in the embedding set's Parquet file
 * @param startS window start in seconds from the file's start
 * @param endS window end in seconds
 * @param umapX 2-D projection for display, when computed
 */
public record ClusterAssignment(
    String id,
    String clusterId,
    String embeddingSetId,
    int embeddingRowIndex,
    Double startS,
    Double endS,
    Double umapX,
    Double umapY) {}
