package org.humpback.pipelines.cluster;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;

/**
 * Checks and submits clustering jobs. The same checks run when a job is submitted (so the caller hears at once) and
 * again when a worker runs it (the registry may have changed in between).
 */
public final class ClusteringJobs {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  private ClusteringJobs() {}

  /**
   * The selected embedding sets, in selection order, duplicates dropped.
   *
   * @throws IllegalArgumentException on an empty selection, unknown ids, or sets of different vector_dim or model,
   *     naming the dims/models and which sets have each
   */
  public static List<EmbeddingSet> validateSelection(Database db, List<String> embeddingSetIds) {
    if (embeddingSetIds == null || embeddingSetIds.isEmpty()) {
      throw new IllegalArgumentException("Invalid embedding_set_ids: empty (select at least one embedding set)");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String id : embeddingSetIds) {
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("Invalid embedding_set_ids: contains an empty id");
      }
      ids.add(id);
    }
    Map<String, EmbeddingSet> found = db.dao(EmbeddingSetDao.class).listByIds(ids).stream()
        .collect(Collectors.toMap(EmbeddingSet::id, s -> s));
    List<String> missing = ids.stream().filter(id -> !found.containsKey(id)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("Embedding set(s) not found: " + String.join(", ", missing));
    }
    List<EmbeddingSet> sets = new ArrayList<>();
    ids.forEach(id -> sets.add(found.get(id)));
    Map<String, List<String>> byDim = new TreeMap<>();
    Map<String, List<String>> byModel = new TreeMap<>();
    for (EmbeddingSet s : sets) {
      byDim.computeIfAbsent(Integer.toString(s.vectorDim()), k -> new ArrayList<>()).add(s.id());
      byModel.computeIfAbsent(s.modelVersion(), k -> new ArrayList<>()).add(s.id());
    }
    if (byDim.size() > 1) {
      throw new IllegalArgumentException("Embedding sets have different vector_dim: " + describe(byDim)
          + "; cluster sets of one model at a time");
    }
    if (byModel.size() > 1) {
      throw new IllegalArgumentException("Embedding sets come from different models: " + describe(byModel)
          + "; vectors of different models are not comparable");
    }
    return sets;
  }

  private static String describe(Map<String, List<String>> groups) {
    return groups.entrySet().stream().map(e -> e.getKey() + " (" + abbreviate(e.getValue()) + ")")
        .collect(Collectors.joining(" vs "));
  }

  private static String abbreviate(List<String> ids) {
    return ids.size() <= 3 ? String.join(", ", ids)
        : String.join(", ", ids.subList(0, 3)) + " and " + (ids.size() - 3) + " more";
  }

  /**
   * Validates the parameters and the selection, then queues a job.
   *
   * @param parametersJson the job's parameters (null = defaults); stored in canonical form
   */
  public static ClusteringJob submit(Database db, List<String> embeddingSetIds, String parametersJson) {
    ClusteringParameters params = ClusteringParameters.parse(parametersJson);
    List<EmbeddingSet> sets = validateSelection(db, embeddingSetIds);
    return JobQueue.clustering(db.jdbi()).enqueue(ClusteringJob.queued(sets.stream().map(EmbeddingSet::id).toList(),
        params.toJson(), null, DEFAULT_MAX_ATTEMPTS));
  }
}
