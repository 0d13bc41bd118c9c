package org.humpback.rest.clustering;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.humpback.pipelines.cluster.ClusteringParameters;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.ApiException;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.Views.AssignmentView;
import org.humpback.rest.Views.ClusterView;
import org.humpback.rest.Views.ClusteringJobView;

/** {@code /clustering}: queue clustering jobs over embedding sets, read jobs, their clusters and assignments. */
public final class ClusteringService implements HttpService {

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final ClusterAssignmentDao clusterAssignmentDao;
  private final ClusterDao clusterDao;
  private final ClusteringJobDao clusteringJobDao;
  private final EmbeddingSetDao embeddingSetDao;
  private final JobQueue<ClusteringJob> queue;
  private final int maxAttempts;

  public ClusteringService(Database db, int maxAttempts) {
    this.db = db;
    this.clusterAssignmentDao = db.dao(ClusterAssignmentDao.class);
    this.clusterDao = db.dao(ClusterDao.class);
    this.clusteringJobDao = db.dao(ClusteringJobDao.class);
    this.embeddingSetDao = db.dao(EmbeddingSetDao.class);
    this.queue = JobQueue.clustering(db.jdbi());
    this.maxAttempts = maxAttempts;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/jobs", this::create)
        .get("/jobs", this::listJobs)
        .get("/jobs/{id}", this::getJob)
        .get("/jobs/{id}/clusters", this::clusters)
        .get("/clusters/{id}/assignments", this::assignments);
  }

  record CreateJob(List<String> embeddingSetIds, JsonNode parameters) {}

  private void create(ServerRequest req, ServerResponse res) {
    CreateJob body = Json.read(req, CreateJob.class);
    if (body.embeddingSetIds() == null) {
      throw ApiException.unprocessable("field 'embedding_set_ids': required");
    }
    if (body.parameters() != null && !body.parameters().isNull() && !body.parameters().isObject()) {
      throw ApiException.unprocessable("field 'parameters': expected a JSON object or null");
    }
    Set<String> ids = new LinkedHashSet<>(body.embeddingSetIds());
    if (ids.isEmpty() || ids.contains(null)) {
      throw ApiException.badRequest("embedding_set_ids: select at least one embedding set (and no nulls)");
    }
    List<EmbeddingSet> sets = embeddingSetDao.listByIds(ids);
    if (sets.size() != ids.size()) {
      Set<String> found = sets.stream().map(EmbeddingSet::id).collect(Collectors.toSet());
      throw ApiException.notFound("Embedding set", ids.stream().filter(id -> !found.contains(id))
          .collect(Collectors.joining(", ")));
    }
    Map<Integer, List<String>> byDim = new TreeMap<>();
    for (EmbeddingSet s : sets) {
      byDim.computeIfAbsent(s.vectorDim(), d -> new java.util.ArrayList<>()).add(s.id());
    }
    if (byDim.size() > 1) {
      throw ApiException.badRequest("Embedding sets have different vector_dim: " + byDim.entrySet().stream()
          .map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")").collect(Collectors.joining(" vs "))
          + "; cluster sets from one model at a time");
    }
    Map<String, List<String>> byModel = new TreeMap<>();
    for (EmbeddingSet s : sets) {
      byModel.computeIfAbsent(s.modelVersion(), m -> new java.util.ArrayList<>()).add(s.id());
    }
    if (byModel.size() > 1) {
      throw ApiException.badRequest("Embedding sets come from different models: " + byModel.entrySet().stream()
          .map(e -> e.getKey() + " (" + String.join(", ", e.getValue()) + ")").collect(Collectors.joining(" vs "))
          + "; vectors of different models are not comparable");
    }
    // Validated and stored in the canonical form the clustering worker reads (defaults filled in).
    String parameters;
    try {
      parameters = ClusteringParameters.parse(body.parameters() == null || body.parameters().isNull() ? null
          : body.parameters().toString()).toJson();
    } catch (IllegalArgumentException e) {
      throw ApiException.unprocessable("field 'parameters': " + e.getMessage());
    }
    ClusteringJob job = queue.enqueue(ClusteringJob.queued(List.copyOf(ids), parameters, null, maxAttempts));
    Json.created(res, ClusteringJobView.of(job));
  }

  private void listJobs(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, clusteringJobDao.list(page.limit(), page.offset()).stream()
        .map(ClusteringJobView::of).toList());
  }

  private void getJob(ServerRequest req, ServerResponse res) {
    Json.ok(res, ClusteringJobView.of(findJob(Requests.pathId(req))));
  }

  private void clusters(ServerRequest req, ServerResponse res) {
    ClusteringJob job = findJob(Requests.pathId(req));
    Json.ok(res, clusterDao.listByJob(job.id()).stream().map(ClusterView::of).toList());
  }

  private void assignments(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    clusterDao.findById(id).orElseThrow(() -> ApiException.notFound("Cluster", id));
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, clusterAssignmentDao.listByCluster(id, page.limit(), page.offset()).stream()
        .map(AssignmentView::of).toList());
  }

  private ClusteringJob findJob(String id) {
    return clusteringJobDao.findById(id).orElseThrow(() -> ApiException.notFound("Clustering job", id));
  }
}
