package org.humpback.rest.clustering;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import org.humpback.pipelines.cluster.ClusteringJobs;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.ServerPaths;
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
  private final ServerPaths paths;

  public ClusteringService(Database db, int maxAttempts, ServerPaths paths) {
    this.db = db;
    this.paths = paths;
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
        .post("/jobs/{id}/cancel", this::cancel)
        .get("/jobs/{id}/clusters", this::clusters)
        .get("/clusters/{id}/assignments", this::assignments);
  }

  record CreateJob(List<String> embeddingSetIds, JsonNode parameters) {}

  private void create(ServerRequest req, ServerResponse res) {
    CreateJob body = Json.read(req, CreateJob.class);
    if (body.embeddingSetIds() == null) {
      throw Refusal.invalid("field 'embedding_set_ids': required");
    }
    if (body.parameters() != null && !body.parameters().isNull() && !body.parameters().isObject()) {
      throw Refusal.invalid("field 'parameters': expected a JSON object or null");
    }
    // The checks `humpback cluster` and the worker make (ClusteringJobs): selection, then parameters against it.
    ClusteringJob job = ClusteringJobs.submit(db, body.embeddingSetIds(), body.parameters() == null
        || body.parameters().isNull() ? null : body.parameters().toString(), maxAttempts);
    Json.created(res, ClusteringJobView.of(job, paths));
  }

  private void listJobs(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, clusteringJobDao.list(page.limit(), page.offset()).stream()
        .map(j -> ClusteringJobView.of(j, paths)).toList());
  }

  private void getJob(ServerRequest req, ServerResponse res) {
    Json.ok(res, ClusteringJobView.of(findJob(Requests.pathId(req)), paths));
  }

  /**
   * A queued job is canceled at once; a running one is asked to stop (its worker acknowledges at its next heartbeat);
   * 409 once finished. Without it, a job with absurd parameters held the queue until it ended.
   */
  private void cancel(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    switch (queue.cancel(id)) {
      case NOT_FOUND -> throw Refusal.notFound("Clustering job", id);
      case ALREADY_FINISHED -> throw Refusal.conflict("Clustering job " + id + " is already "
          + findJob(id).status().wireName());
      case CANCELED, REQUESTED -> Json.ok(res, ClusteringJobView.of(findJob(id), paths));
    }
  }

  private void clusters(ServerRequest req, ServerResponse res) {
    ClusteringJob job = findJob(Requests.pathId(req));
    Json.ok(res, clusterDao.listByJob(job.id()).stream().map(ClusterView::of).toList());
  }

  private void assignments(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    clusterDao.findById(id).orElseThrow(() -> Refusal.notFound("Cluster", id));
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, clusterAssignmentDao.listByCluster(id, page.limit(), page.offset()).stream()
        .map(AssignmentView::of).toList());
  }

  private ClusteringJob findJob(String id) {
    return clusteringJobDao.findById(id).orElseThrow(() -> Refusal.notFound("Clustering job", id));
  }
}
