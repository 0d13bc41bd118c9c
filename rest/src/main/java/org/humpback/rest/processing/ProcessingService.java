package org.humpback.rest.processing;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import org.humpback.pipelines.EncodingJobs;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.ApiException;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.Views.EmbeddingSetView;
import org.humpback.rest.Views.ProcessingJobView;
import org.humpback.transforms.audio.FrontEndConfig;

/**
 * {@code /processing}: queue encoding jobs, list, get and cancel them, and read the embedding sets they made.
 *
 * <p>A job's front end is resolved as the worker resolves it ({@link EncodingJobs}: the installation's defaults
 * ({@code HUMPBACK_WINDOW_SIZE_SECONDS}, {@code HUMPBACK_TARGET_SAMPLE_RATE}), then the model's own
 * settings, then the request's {@code feature_config}, {@code window_size_seconds} and {@code target_sample_rate}), so
 * the signature a job is queued under is the one its output carries.
 */
public final class ProcessingService implements HttpService {

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final AudioFileDao audioFileDao;
  private final EmbeddingSetDao embeddingSetDao;
  private final ModelDao modelDao;
  private final ProcessingJobDao processingJobDao;
  private final JobQueue<ProcessingJob> queue;
  private final int maxAttempts;
  private final FrontEndConfig frontEndDefaults;

  /** @param frontEndDefaults the installation's front-end defaults ({@code EncodingJobs.defaults}) */
  public ProcessingService(Database db, int maxAttempts, FrontEndConfig frontEndDefaults) {
    this.frontEndDefaults = frontEndDefaults;
    this.db = db;
    this.audioFileDao = db.dao(AudioFileDao.class);
    this.embeddingSetDao = db.dao(EmbeddingSetDao.class);
    this.modelDao = db.dao(ModelDao.class);
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
      throw ApiException.unprocessable("body: give exactly one of 'audio_file_id', 'audio_file_ids' or 'folder_path'");
    }
    if (body.featureConfig() != null && !body.featureConfig().isNull() && !body.featureConfig().isObject()) {
      throw ApiException.unprocessable("field 'feature_config': expected a JSON object or null");
    }
    if (body.windowSizeSeconds() != null && !(body.windowSizeSeconds() > 0 && body.windowSizeSeconds() <= 3600)) {
      throw ApiException.unprocessable("field 'window_size_seconds': " + body.windowSizeSeconds()
          + " is out of range (0, 3600]");
    }
    if (body.targetSampleRate() != null && (body.targetSampleRate() < 100 || body.targetSampleRate() > 768_000)) {
      throw ApiException.unprocessable("field 'target_sample_rate': " + body.targetSampleRate()
          + " is out of range [100, 768000]");
    }
    ModelRecord model = resolveModel(body.modelVersion());
    // Stored as the client sent it (the seed's shape); the window and rate columns hold the resolved values.
    String featureJson = body.featureConfig() == null || body.featureConfig().isNull() ? null
        : body.featureConfig().toString();
    FrontEndConfig frontEnd = frontEnd(model, body, featureJson);
    String signature = signature(model, frontEnd);

    List<AudioFile> files = selectFiles(body);
    List<ProcessingJobView> jobs = new ArrayList<>(files.size());
    ProcessingJobDao dao = processingJobDao;
    for (AudioFile f : files) {
      // A job already queued or running for the same encoding is returned rather than queued twice.
      ProcessingJob job = dao.findActive(f.id(), signature).orElseGet(() -> queue.enqueue(ProcessingJob.queued(
          f.id(), signature, model.name(), frontEnd.windowSeconds(), frontEnd.sampleRate(), featureJson, maxAttempts)));
      jobs.add(ProcessingJobView.of(job));
    }
    Json.created(res, body.audioFileId() != null ? jobs.get(0) : jobs);
  }

  private ModelRecord resolveModel(String name) {
    ModelDao models = modelDao;
    if (name == null || name.isBlank()) {
      return models.findDefault().orElseThrow(() -> ApiException.badRequest(
          "No default model is registered: register one (POST /admin/models) or give 'model_version'"));
    }
    return models.findByName(name).orElseThrow(() -> ApiException.notFound("Model", name));
  }

  /** The exact encoding a job will run, through the same code the worker uses ({@link EncodingJobs}). */
  private FrontEndConfig frontEnd(ModelRecord model, CreateJob body, String featureJson) {
    try {
      return EncodingJobs.frontEnd(frontEndDefaults, model, featureJson, body.windowSizeSeconds(), body.targetSampleRate());
    } catch (IllegalArgumentException e) {
      throw ApiException.unprocessable("field 'feature_config': " + e.getMessage());
    }
  }

  private static String signature(ModelRecord model, FrontEndConfig frontEnd) {
    try {
      return EncodingJobs.signature(model, frontEnd);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw ApiException.badRequest("Model '" + model.name() + "' cannot be used: " + e.getMessage());
    }
  }

  private List<AudioFile> selectFiles(CreateJob body) {
    AudioFileDao files = audioFileDao;
    if (body.audioFileId() != null) {
      return List.of(files.findById(body.audioFileId())
          .orElseThrow(() -> ApiException.notFound("Audio file", body.audioFileId())));
    }
    if (body.audioFileIds() != null) {
      if (body.audioFileIds().isEmpty()) {
        throw ApiException.unprocessable("field 'audio_file_ids': the list is empty");
      }
      List<AudioFile> out = new ArrayList<>();
      for (String id : body.audioFileIds()) {
        out.add(files.findById(id).orElseThrow(() -> ApiException.notFound("Audio file", id)));
      }
      return out;
    }
    List<AudioFile> inFolder = files.listByFolder(body.folderPath());
    if (inFolder.isEmpty()) {
      throw ApiException.notFound("Audio files in folder", body.folderPath());
    }
    return inFolder;
  }

  private void listJobs(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    // Only the shown columns: the hot read of a dashboard polling its jobs.
    Json.ok(res, processingJobDao.listSummaries(page.limit(), page.offset()).stream()
        .map(ProcessingJobView::of).toList());
  }

  private void getJob(ServerRequest req, ServerResponse res) {
    Json.ok(res, ProcessingJobView.of(findJob(Requests.pathId(req))));
  }

  /** A queued job is canceled at once; a running one is asked to stop (its worker acknowledges); 409 once finished. */
  private void cancel(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    switch (queue.cancel(id)) {
      case NOT_FOUND -> throw ApiException.notFound("Processing job", id);
      case ALREADY_FINISHED -> throw ApiException.conflict("Processing job " + id + " is already "
          + findJob(id).status().wireName());
      case CANCELED, REQUESTED -> Json.ok(res, ProcessingJobView.of(findJob(id)));
    }
  }

  private ProcessingJob findJob(String id) {
    return processingJobDao.findById(id).orElseThrow(() -> ApiException.notFound("Processing job", id));
  }

  private void listSets(ServerRequest req, ServerResponse res) {
    Requests.Page page = Requests.Page.of(req);
    Json.ok(res, embeddingSetDao.list(page.limit(), page.offset()).stream()
        .map(EmbeddingSetView::of).toList());
  }

  private void getSet(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    Json.ok(res, EmbeddingSetView.of(embeddingSetDao.findById(id)
        .orElseThrow(() -> ApiException.notFound("Embedding set", id))));
  }
}
