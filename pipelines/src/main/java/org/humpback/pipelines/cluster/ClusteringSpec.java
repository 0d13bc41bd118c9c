package org.humpback.pipelines.cluster;

import java.io.Serializable;
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

  /**
   * One embedding set and its Parquet file.
   *
   * @param windows its number of windows (rows 0..windows-1), or -1 when unknown (a job with one unknown count fits
   *     on every window)
   */
  public record SetInput(String embeddingSetId, String parquetPath, long windows) implements Serializable {
    public SetInput(String embeddingSetId, String parquetPath) {
      this(embeddingSetId, parquetPath, -1);
    }

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

  public String clustersJson() {
    return ClusterOutputs.resolve(outputDir, ClusterOutputs.CLUSTERS_JSON, false);
  }

  /** Windows in all sets, or -1 when a set's count is unknown. */
  public long totalWindows() {
    long total = 0;
    for (SetInput s : sets) {
      if (s.windows() < 0) {
        return -1;
      }
      total += s.windows();
    }
    return total;
  }

  /** Whether this job fits on a sample and assigns every window afterwards (see {@link #sampleQuotas}). */
  public boolean sampled() {
    Integer size = parameters.sampleSize();
    long total = totalWindows();
    return size != null && total > size;
  }

  /**
   * Windows of each set in the sample: every set in proportion to its windows (largest remainders, ties to the
   * earlier set), summing to sample_size exactly.
   */
  public long[] sampleQuotas() {
    long total = totalWindows();
    int size = parameters.sampleSize();
    long[] quota = new long[sets.size()];
    double[] remainder = new double[sets.size()];
    long given = 0;
    for (int i = 0; i < quota.length; i++) {
      double exact = (double) size * sets.get(i).windows() / total;
      quota[i] = (long) Math.floor(exact);
      remainder[i] = exact - quota[i];
      given += quota[i];
    }
    Integer[] order = new Integer[quota.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(remainder[b], remainder[a]));
    for (int t = 0; given < size && t < order.length; t++) {
      if (quota[order[t]] < sets.get(order[t]).windows()) {
        quota[order[t]]++;
        given++;
      }
    }
    return quota;
  }

  /**
   * Whether row {@code row} of a set with {@code windows} windows and {@code quota} in the sample is sampled: the
   * rows where {@code floor(r * quota / windows)} steps up, i.e. {@code quota} rows evenly spaced over the file.
   */
  public static boolean inSample(long row, long quota, long windows) {
    return row >= 0 && row < windows && Math.floorDiv((row + 1) * quota, windows) > Math.floorDiv(row * quota, windows);
  }
}
