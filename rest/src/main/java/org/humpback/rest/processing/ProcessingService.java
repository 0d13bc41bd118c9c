package org.humpback.rest.processing;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import org.humpback.pipelines.jobs.EncodingRequests;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.ServerPaths;
import org.humpback.rest.Views.EmbeddingSetView;
import org.humpback.rest.Views.ProcessingJobView;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.beam.EmbeddingParquet;

/**
 * {@code /processing}: queue encoding jobs, list, get and cancel them, and read the embedding sets they made.
 *
 * <p>A job's front end is resolved as the worker resolves it ({@link EncodingRequests}: the installation's defaults
 * ({@code HUMPBACK_WINDOW_SIZE_SECONDS}, {@code HUMPBACK_TARGET_SAMPLE_RATE}), then the model's own
 * settings, then the request's {@code feature_config}, {@code window_size_seconds} and {@code target_sample_rate}), so
 * the signature a job is queued under is the one its output carries.
 */
public final class ProcessingService implements HttpService {

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final AudioFileDao audioFileDao;
  private final EmbeddingSetDao embeddingSetDao;
  private final ProcessingJobDao processingJobDao;
  private final JobQueue<ProcessingJob> queue;
  private final int maxAttempts;
  private final FrontEndConfig frontEndDefaults;
  private final ServerPaths paths;

  /** @param frontEndDefaults the installation's front-end defaults ({@code EncodingJobs.defaults}) */
  public ProcessingService(Database db, int maxAttempts, FrontEndConfig frontEndDefaults, ServerPaths paths) {
    this.frontEndDefaults = frontEndDefaults;
    this.paths = paths;
    this.db = db;
    this.audioFileDao = db.dao(AudioFileDao.class);
    this.embeddingSetDao = db.dao(EmbeddingSetDao.class);
    this.processingJobDao = db.dao(ProcessingJobDao.class);
    this.queue = JobQueue.processing(db.jdbi());
    this.maxAttempts = maxAttempts;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/jobs", this::create)
        .get("/jobs", this::listJobs)
        .get("/jobs/{id}", this::getJob)
        .post("/jobs/{id}/cancel", this::cancel)
        .get("/embedding-sets", this::listSets)
        .get("/embedding-sets/{id}", this::getSet);
  }

  /** The body of {@code POST /processing/jobs}; exactly one of the three file selectors. */
  record CreateJob(
      String audioFileId, List<String> audioFileIds, String folderPath, String modelVersion,
      Double windowSizeSeconds, Integer targetSampleRate, JsonNode featureConfig) {}

  private void create(ServerRequest req, ServerResponse res) {
    CreateJob body = Json.read(req, CreateJob.class);
    int selectors = (body.audioFileId() != null ? 1 : 0) + (body.audioFileIds() != null ? 1 : 0)
        + (body.folderPath() != null ? 1 : 0);
    if (selectors != 1) {
      throw Refusal.invalid("body: give exactly one of 'audio_file_id', 'audio_file_ids' or 'folder_path'");
    }
    if (body.featureConfig() != null && !body.featureConfig().isNull() && !body.featureConfig().isObject()) {
      throw Refusal.invalid("field 'feature_config': expected a JSON object or null");
    }
    // Stored as the client sent it (the seed's shape); the window and rate columns hold the resolved values.
    String featureJson = body.featureConfig() == null || body.featureConfig().isNull() ? null
        : body.featureConfig().toString();
    // The same resolution, checks and enqueue-or-reuse as `humpback encode` (the service layer's EncodingRequests).
    EncodingRequests.Plan plan = EncodingRequests.plan(EncodingRequests.model(db, body.modelVersion()),
        frontEndDefaults, featureJson, body.windowSizeSeconds(), body.targetSampleRate());
    List<AudioFile> files = selectFiles(body);
    List<ProcessingJobView> jobs = new ArrayList<>(files.size());
    for (AudioFile f : files) {
      jobs.add(ProcessingJobView.of(EncodingRequests.enqueue(db, plan, f.id(), maxAttempts), paths));
    }
    Json.created(res, body.audioFileId() != null ? jobs.get(0) : jobs);
  }

  private List<AudioFile> selectFiles(CreateJob body) {
    AudioFileDao files = audioFileDao;
    if (body.audioFileId() != null) {
      return List.of(files.findById(body.audioFileId())
          .orElseThrow(() -> Refusal.notFound("Audio file", body.audioFileId())));
    }
    if (body.audioFileIds() != null) {
      if (body.audioFileIds().isEmpty()) {
        throw Refusal.invalid("field 'audio_file_ids': the list is empty");
      }
      List<AudioFile> out = new ArrayList<>();
      for (String id : body.audioFileIds()) {
        out.add(files.findById(id).orElseThrow(() -> Refusal.notFound("Audio file", id)));
      }
      return out;
    }
    List<AudioFile> inFolder = files.listByFolder(org.humpback.rest.audio.AudioService.normalizeFolder(
        body.folderPath()));
    if (inFolder.isEmpty()) {
      throw Refusal.notFound("Audio files in folder", body.folderPath());
    }
    return inFolder;
  }

  private void listJobs(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    // Only the shown columns: the hot read of a dashboard polling its jobs.
    Json.ok(res, processingJobDao.listSummaries(page.limit(), page.offset()).stream()
        .map(j -> ProcessingJobView.of(j, paths)).toList());
  }

  private void getJob(ServerRequest req, ServerResponse res) {
    Json.ok(res, ProcessingJobView.of(findJob(Requests.pathId(req)), paths));
  }

  /** A queued job is canceled at once; a running one is asked to stop (its worker acknowledges); 409 once finished. */
  private void cancel(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    switch (queue.cancel(id)) {
      case NOT_FOUND -> throw Refusal.notFound("Processing job", id);
      case ALREADY_FINISHED -> throw Refusal.conflict("Processing job " + id + " is already "
          + findJob(id).status().wireName());
      case CANCELED, REQUESTED -> Json.ok(res, ProcessingJobView.of(findJob(id), paths));
    }
  }

  private ProcessingJob findJob(String id) {
    return processingJobDao.findById(id).orElseThrow(() -> Refusal.notFound("Processing job", id));
  }

  private void listSets(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, embeddingSetDao.list(page.limit(), page.offset()).stream()
        .map(s -> EmbeddingSetView.of(s, paths)).toList());
  }

  private void getSet(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    EmbeddingSet set = embeddingSetDao.findById(id).orElseThrow(() -> Refusal.notFound("Embedding set", id));
    // The same check the worker makes before reusing a set: a set is only shown as fine when its file opens.
    EmbeddingParquet.problem(set.parquetPath(), set.encodingSignature()).ifPresent(why -> {
      throw Refusal.conflict("Embedding set " + id + " (" + paths.shown(set.parquetPath()) + "): " + why
          + "; post the processing job for audio file " + set.audioFileId() + " again to re-encode it");
    });
    Json.ok(res, EmbeddingSetView.of(set, paths));
  }
}
