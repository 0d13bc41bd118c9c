package org.humpback.rest.search;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.rest.Json;

/**
 * {@code /search}: windows similar to a given window, by exact cosine similarity of their embeddings.
 *
 * <p>Without {@code embedding_set_ids}, every set of the query's model is searched (vectors of different models are
 * not comparable); with them, only those sets (the query's own set only if listed). The query window itself is
 * always the first result, with score 1.0, so a client can show it as the reference; the other {@code k - 1}
 * follow, best first.
 */
public final class SearchService implements HttpService {

  static final int MAX_K = 1000;

  private final EmbeddingSetDao embeddingSetDao;
  private final EmbeddingCache cache;

  public SearchService(Database db) {
    this.embeddingSetDao = db.dao(EmbeddingSetDao.class);
    this.cache = EmbeddingCache.sizedToHeap();
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/similar", this::similar);
  }

  record SimilarRequest(String embeddingSetId, Integer rowIndex, Integer k, List<String> embeddingSetIds) {}

  record Result(String embeddingSetId, int rowIndex, String audioFileId, double startS, double endS, double score) {}

  private void similar(ServerRequest req, ServerResponse res) {
    SimilarRequest body = Json.read(req, SimilarRequest.class);
    if (body.embeddingSetId() == null) {
      throw Refusal.invalid("field 'embedding_set_id': required");
    }
    if (body.rowIndex() == null) {
      throw Refusal.invalid("field 'row_index': required");
    }
    int k = body.k() == null ? 10 : body.k();
    if (k < 1 || k > MAX_K) {
      throw Refusal.invalid("field 'k': " + k + " is out of range [1, " + MAX_K + "]");
    }
    EmbeddingSet querySet = embeddingSetDao.findById(body.embeddingSetId())
        .orElseThrow(() -> Refusal.notFound("Embedding set", body.embeddingSetId()));
    List<EmbeddingSet> candidates = candidates(querySet, body.embeddingSetIds());

    EmbeddingCache.Loaded query = cache.get(querySet);
    int position = query.positionOf(body.rowIndex());
    if (position < 0) {
      throw Refusal.notFound("Window", "row_index " + body.rowIndex() + " of embedding set " + querySet.id()
          + " (" + query.rows() + " windows)");
    }
    List<EmbeddingCache.Loaded> loaded = new ArrayList<>();
    int queryBlock = -1;
    for (EmbeddingSet s : candidates) {
      if (s.id().equals(querySet.id())) {
        queryBlock = loaded.size();
        loaded.add(query);
      } else {
        loaded.add(cache.get(s));
      }
    }
    int dim = querySet.vectorDim();
    float[] q = java.util.Arrays.copyOfRange(query.vectors(), position * dim, (position + 1) * dim);
    List<Result> results = new ArrayList<>();
    results.add(result(query, position, 1.0));
    if (k > 1) {
      CosineIndex index = new CosineIndex(dim, loaded.stream().map(EmbeddingCache.Loaded::vectors).toList());
      for (CosineIndex.Hit h : index.search(q, k - 1, queryBlock, position)) {
        results.add(result(loaded.get(h.block()), h.row(), h.score()));
      }
    }
    Json.ok(res, Map.of("results", results));
  }

  /** The sets to search: the given ones (checked to match the query's model and size) or all of the query's model. */
  private List<EmbeddingSet> candidates(EmbeddingSet query, List<String> requested) {
    if (requested == null) {
      // One query over all sets (a registry holds thousands, not millions), filtered here.
      return embeddingSetDao.list(Integer.MAX_VALUE, 0).stream()
          .filter(s -> s.modelVersion().equals(query.modelVersion()) && s.vectorDim() == query.vectorDim()).toList();
    }
    Set<String> ids = new LinkedHashSet<>(requested);
    if (ids.contains(null)) {
      throw Refusal.invalid("field 'embedding_set_ids': null entries are not allowed");
    }
    List<EmbeddingSet> sets = embeddingSetDao.listByIds(ids);
    if (sets.size() != ids.size()) {
      Set<String> found = sets.stream().map(EmbeddingSet::id).collect(Collectors.toSet());
      throw Refusal.notFound("Embedding set", ids.stream().filter(id -> !found.contains(id))
          .collect(Collectors.joining(", ")));
    }
    for (EmbeddingSet s : sets) {
      if (s.vectorDim() != query.vectorDim() || !s.modelVersion().equals(query.modelVersion())) {
        throw Refusal.badRequest("Embedding set " + s.id() + " (" + s.modelVersion() + ", " + s.vectorDim()
            + "-d) cannot be compared with the query's set (" + query.modelVersion() + ", " + query.vectorDim()
            + "-d): vectors of different models are not comparable");
      }
    }
    return sets;
  }

  private static Result result(EmbeddingCache.Loaded set, int position, double score) {
    return new Result(set.setId(), set.rowIndex()[position], set.audioFileId(), set.startS()[position],
        set.endS()[position], score);
  }
}
