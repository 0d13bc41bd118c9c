package org.humpback.registry.dao;

/**
 * One cluster of a clustering job (a row of {@code clusters}).
 *
 * @param clusterLabel the algorithm's label; -1 is HDBSCAN's noise
 * @param metadataSummary JSON summary of the members' metadata
 */
public record Cluster(String id, String clusteringJobId, int clusterLabel, int size, String metadataSummary) {}
