package org.humpback.rest.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.pipelines.models.ModelSpec;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.pipelines.models.ScannedModel;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.ServerPaths;
import org.humpback.rest.Views.ModelView;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelType;

/**
 * {@code /admin}: the model registry (register, update, delete, set default, scan the models folder) and table row
 * counts. A model in a URL is named by its {@code id} (or, for convenience, its unique {@code name}).
 */
public final class AdminService implements HttpService {

  /** The tables {@code GET /admin/tables} counts, in schema order. */
  static final List<String> TABLES = List.of("models", "audio_files", "audio_metadata", "processing_jobs",
      "embedding_sets", "clustering_jobs", "clusters", "cluster_assignments");

  private final Database db;
  // On-demand DAOs are thread-safe; made once rather than per request.
  private final ModelDao modelDao;
  private final ModelRegistry models;
  private final ServerPaths paths;

  public AdminService(Database db, ModelRegistry models, ServerPaths paths) {
    this.db = db;
    this.paths = paths;
    this.modelDao = db.dao(ModelDao.class);
    this.models = models;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/models", this::listModels)
        .post("/models", this::createModel)
        .get("/models/scan", this::scan)
        .put("/models/{id}", this::updateModel)
        .delete("/models/{id}", this::deleteModel)
        .post("/models/{id}/set-default", this::setDefault)
        .get("/tables", this::tables);
  }

  /** The body of {@code POST} and {@code PUT /admin/models}; on update every field left out keeps its value. */
  record ModelBody(
      String name, String displayName, String path, Integer vectorDim, String description, String modelType,
      String inputFormat, Boolean isDefault, Integer sampleRate, Double windowSeconds, JsonNode frontEndConfig,
      String inputName, String outputName, String signatureName, Boolean transposeSpectrogram) {

    ModelSpec toSpec() {
      if (frontEndConfig != null && !frontEndConfig.isNull() && !frontEndConfig.isObject()) {
        throw Refusal.invalid("field 'front_end_config': expected a JSON object or null");
      }
      return new ModelSpec(path, name, displayName, description, enumField("model_type", modelType, true),
          (InputFormat) enumField("input_format", inputFormat, false), vectorDim, sampleRate, windowSeconds,
          frontEndConfig == null || frontEndConfig.isNull() ? null : frontEndConfig.toString(), inputName, outputName,
          signatureName, transposeSpectrogram, Boolean.TRUE.equals(isDefault));
    }

    @SuppressWarnings("unchecked")
    private static <E> E enumField(String field, String value, boolean modelType) {
      if (value == null) {
        return null;
      }
      try {
        return (E) (modelType ? ModelType.fromWireName(value) : InputFormat.fromWireName(value));
      } catch (IllegalArgumentException e) {
        throw Refusal.invalid("field '" + field + "': " + e.getMessage());
      }
    }
  }

  private void listModels(ServerRequest req, ServerResponse res) {
    Json.ok(res, models.list().stream().map(m -> ModelView.of(m, paths)).toList());
  }

  private void createModel(ServerRequest req, ServerResponse res) {
    ModelBody body = Json.read(req, ModelBody.class);
    if (body.path() == null || body.path().isBlank()) {
      throw Refusal.invalid("field 'path': required");
    }
    Json.created(res, ModelView.of(models.register(body.toSpec()), paths));
  }

  private void updateModel(ServerRequest req, ServerResponse res) {
    ModelRecord current = find(Requests.pathId(req));
    ModelBody body = Json.read(req, ModelBody.class);
    ModelRecord updated = models.update(current.name(), body.toSpec().withMakeDefault(false));
    if (Boolean.TRUE.equals(body.isDefault())) {
      updated = models.setDefault(updated.name());
    }
    Json.ok(res, ModelView.of(updated, paths));
  }

  /** The contract: 400 (not 409) while embedding sets were made with the model. */
  private void deleteModel(ServerRequest req, ServerResponse res) {
    ModelRecord current = find(Requests.pathId(req));
    try {
      models.delete(current.name());
    } catch (Refusal e) {
      if (e.kind() == Refusal.Kind.CONFLICT) {
        throw Refusal.badRequest(e.getMessage());
      }
      throw e;
    }
    Json.ok(res, Map.of("deleted", current.id()));
  }

  private void setDefault(ServerRequest req, ServerResponse res) {
    Json.ok(res, ModelView.of(models.setDefault(find(Requests.pathId(req)).name()), paths));
  }

  /** One model file of the models folder, in the seed's shape plus what probing found; {@code path} is relative. */
  record ScanView(String filename, String path, long sizeBytes, boolean registered, String modelType,
      String inputFormat, Integer vectorDim, String probeError) {

    static ScanView of(ScannedModel s, ServerPaths paths) {
      return new ScanView(s.filename(), paths.shown(s.path()), s.sizeBytes(), s.registered(),
          s.modelType() == null ? null : s.modelType().wireName(),
          s.inputFormat() == null ? null : s.inputFormat().wireName(), s.vectorDim(), paths.scrub(s.probeError()));
    }
  }

  private void scan(ServerRequest req, ServerResponse res) {
    Json.ok(res, models.scan().stream().map(s -> ScanView.of(s, paths)).toList());
  }

  private ModelRecord find(String idOrName) {
    ModelDao dao = modelDao;
    return dao.findById(idOrName).or(() -> dao.findByName(idOrName))
        .orElseThrow(() -> Refusal.notFound("Model", idOrName));
  }

  /** One table's row count: {@code GET /admin/tables} answers a list of these, as the seed's clients expect. */
  record TableCount(String table, long count) {}

  private void tables(ServerRequest req, ServerResponse res) {
    List<TableCount> counts = new ArrayList<>();
    db.jdbi().useHandle(h -> {
      for (String table : TABLES) {
        // Table names come from the fixed list above, never from the request.
        counts.add(new TableCount(table, h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one()));
      }
    });
    Json.ok(res, counts);
  }
}
