package org.humpback.pipelines.cluster;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one clustering run needs, serializable so it can travel inside the pipeline's DoFns.
 *
 * @param sets the embedding sets in a fixed order (the order windows are numbered in)
 * @param outputDir {@code {storage}/clusters/{job_id}}
 * @param setMetadata flattened metadata (see {@link MetadataSummaries#flatten}) per embedding set id
 */
public record ClusteringSpec(String jobId, List<SetInput> sets, String modelVersion, int vectorDim,
                             ClusteringParameters parameters, String outputDir,
                             Map<String, Map<String, String>> setMetadata, Reductions reductions) implements Serializable {

  /** One embedding set and its Parquet file. */
  public record SetInput(String embeddingSetId, String parquetPath) implements Serializable {
    public SetInput {
      if (embeddingSetId == null || embeddingSetId.isBlank()) {
        throw new IllegalArgumentException("Invalid embedding_set_id: '" + embeddingSetId + "'");
      }
      if (parquetPath == null || parquetPath.isBlank()) {
        throw new IllegalArgumentException("Invalid parquet_path of embedding set " + embeddingSetId + ": empty");
      }
    }
  }

  public ClusteringSpec {
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException("Invalid job id: '" + jobId + "'");
    }
    if (sets == null || sets.isEmpty()) {
      throw new IllegalArgumentException("Invalid embedding_set_ids: empty (select at least one embedding set)");
    }
    if (vectorDim < 1) {
      throw new IllegalArgumentException("Invalid vector_dim: " + vectorDim + " (expected >= 1)");
    }
    if (parameters == null) {
      throw new IllegalArgumentException("Invalid parameters: null");
    }
    sets = new ArrayList<>(sets);
    Map<String, Map<String, String>> md = new LinkedHashMap<>();
    if (setMetadata != null) {
      setMetadata.forEach((k, v) -> md.put(k, new TreeMap<>(v)));
    }
    setMetadata = md;
    if (reductions == null) {
      reductions = Reductions.standard();
    }
  }

  public Path clustersJson() {
    return Path.of(outputDir).resolve(ClusterOutputs.CLUSTERS_JSON);
  }

  public Path assignmentsParquet() {
    return Path.of(outputDir).resolve(ClusterOutputs.ASSIGNMENTS_PARQUET);
  }
}
