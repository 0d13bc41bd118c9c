package org.humpback.pipelines.cluster;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;

/**
 * Checks and submits clustering jobs, for {@code humpback cluster}, {@code POST /clustering/jobs} and the worker alike.
 * The same checks run when a job is submitted (so the caller hears at once) and again when a worker runs it (the
 * registry may have changed in between). Refusals are {@link Refusal}s: NOT_FOUND for unknown sets, BAD_REQUEST for a
 * selection that cannot be clustered together, INVALID for parameters.
 */
public final class ClusteringJobs {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  private ClusteringJobs() {}

  /**
   * The selected embedding sets, in selection order, duplicates dropped.
   *
   * @throws Refusal on an empty selection, unknown ids (NOT_FOUND), or sets of different vector_dim or model,
   *     naming the dims/models and which sets have each
   */
  public static List<EmbeddingSet> validateSelection(Database db, List<String> embeddingSetIds) {
    if (embeddingSetIds == null || embeddingSetIds.isEmpty()) {
      throw Refusal.badRequest("Invalid embedding_set_ids: empty (select at least one embedding set)");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String id : embeddingSetIds) {
      if (id == null || id.isBlank()) {
        throw Refusal.badRequest("Invalid embedding_set_ids: contains an empty id (select at least one embedding set, "
            + "and no nulls)");
      }
      ids.add(id);
    }
    Map<String, EmbeddingSet> found = db.dao(EmbeddingSetDao.class).listByIds(ids).stream()
        .collect(Collectors.toMap(EmbeddingSet::id, s -> s));
    List<String> missing = ids.stream().filter(id -> !found.containsKey(id)).toList();
    if (!missing.isEmpty()) {
      throw Refusal.notFound("Embedding set(s) not found: " + String.join(", ", missing));
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
      throw Refusal.badRequest("Embedding sets have different vector_dim: " + describe(byDim)
          + "; cluster sets of one model at a time");
    }
    if (byModel.size() > 1) {
      throw Refusal.badRequest("Embedding sets come from different models: " + describe(byModel)
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

  /** {@link #submit(Database, List, String, int)} with the default number of attempts. */
  public static ClusteringJob submit(Database db, List<String> embeddingSetIds, String parametersJson) {
    return submit(db, embeddingSetIds, parametersJson, DEFAULT_MAX_ATTEMPTS);
  }

  /**
   * Validates the selection and the parameters against it (enough points and dimensions for what they ask), then
   * queues a job.
   *
   * @param parametersJson the job's parameters (null = defaults); stored in canonical form
   * @throws Refusal as {@link #validateSelection}, or INVALID for parameters the selection cannot meet
   */
  public static ClusteringJob submit(Database db, List<String> embeddingSetIds, String parametersJson,
      int maxAttempts) {
    List<EmbeddingSet> sets = validateSelection(db, embeddingSetIds);
    boolean pointsKnown = sets.stream().allMatch(set -> set.rowCount() != null);
    long points = pointsKnown ? sets.stream().mapToLong(EmbeddingSet::rowCount).sum() : -1;
    String canonical;
    try {
      ClusteringParameters params = ClusteringParameters.parse(parametersJson);
      params.requireFits(points, sets.get(0).vectorDim());
      canonical = params.toJson();
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid("field 'parameters': " + e.getMessage());
    }
    return JobQueue.clustering(db.jdbi()).enqueue(ClusteringJob.queued(sets.stream().map(EmbeddingSet::id).toList(),
        canonical, null, maxAttempts));
  }
}
