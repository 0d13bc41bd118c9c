package org.humpback.rest.processing;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;

/**
 * {@code GET /processing/jobs/{id}/progress}: a job's live figures as its worker reports them (windows done and
 * expected, the current rate), for the web app's progress bar and ETA. Kept apart from the job's own JSON, whose
 * fields are the seed's.
 */
public final class ProcessingProgressService implements HttpService {

  private final ProcessingJobDao processingJobDao;

  public ProcessingProgressService(Database db) {
    this.processingJobDao = db.dao(ProcessingJobDao.class);
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/jobs/{id}/progress", this::progress);
  }

  /**
   * @param etaSeconds remaining windows at the current rate; null until both are known
   */
  record Progress(String id, String status, double progress, long windowsDone, Long windowsTotal,
      Double windowsPerSecond, Double etaSeconds, Instant startedAt, Instant heartbeatAt, Instant finishedAt,
      boolean cancelRequested) {}

  private void progress(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    ProcessingJob j = processingJobDao.findById(id).orElseThrow(() -> Refusal.notFound("Processing job", id));
    Double eta = j.windowsTotal() != null && j.windowsPerSecond() != null && j.windowsPerSecond() > 0
        && !j.status().isFinal() ? Math.max(0, j.windowsTotal() - j.windowsDone()) / j.windowsPerSecond() : null;
    Json.ok(res, new Progress(j.id(), j.status().wireName(), j.progress(), j.windowsDone(), j.windowsTotal(),
        j.windowsPerSecond(), eta, j.startedAt(), j.heartbeatAt(), j.finishedAt(), j.cancelRequested()));
  }
}
