package org.humpback.rest.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.registry.models.ModelRegistry;
import org.humpback.registry.models.ModelSpec;
import org.humpback.registry.models.RegistryException;
import org.humpback.registry.models.ScannedModel;
import org.humpback.rest.ApiException;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
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

  public AdminService(Database db, ModelRegistry models) {
    this.db = db;
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
        throw ApiException.unprocessable("field 'front_end_config': expected a JSON object or null");
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
        throw ApiException.unprocessable("field '" + field + "': " + e.getMessage());
      }
    }
  }

  private void listModels(ServerRequest req, ServerResponse res) {
    Json.ok(res, models.list().stream().map(ModelView::of).toList());
  }

  private void createModel(ServerRequest req, ServerResponse res) {
    ModelBody body = Json.read(req, ModelBody.class);
    if (body.path() == null || body.path().isBlank()) {
      throw ApiException.unprocessable("field 'path': required");
    }
    Json.created(res, ModelView.of(models.register(body.toSpec())));
  }

  private void updateModel(ServerRequest req, ServerResponse res) {
    ModelRecord current = find(Requests.pathId(req));
    ModelBody body = Json.read(req, ModelBody.class);
    ModelRecord updated = models.update(current.name(), body.toSpec().withMakeDefault(false));
    if (Boolean.TRUE.equals(body.isDefault())) {
      updated = models.setDefault(updated.name());
    }
    Json.ok(res, ModelView.of(updated));
  }

  /** The contract: 400 (not 409) while embedding sets were made with the model. */
  private void deleteModel(ServerRequest req, ServerResponse res) {
    ModelRecord current = find(Requests.pathId(req));
    try {
      models.delete(current.name());
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.CONFLICT) {
        throw ApiException.badRequest(e.getMessage());
      }
      throw e;
    }
    Json.ok(res, Map.of("deleted", current.id()));
  }

  private void setDefault(ServerRequest req, ServerResponse res) {
    Json.ok(res, ModelView.of(models.setDefault(find(Requests.pathId(req)).name())));
  }

  /** One model file of the models folder, in the seed's shape plus what probing found. */
  record ScanView(String filename, String path, long sizeBytes, boolean registered, String modelType,
      String inputFormat, Integer vectorDim, String probeError) {

    static ScanView of(ScannedModel s) {
      return new ScanView(s.filename(), s.path(), s.sizeBytes(), s.registered(),
          s.modelType() == null ? null : s.modelType().wireName(),
          s.inputFormat() == null ? null : s.inputFormat().wireName(), s.vectorDim(), s.probeError());
    }
  }

  private void scan(ServerRequest req, ServerResponse res) {
    Json.ok(res, models.scan().stream().map(ScanView::of).toList());
  }

  private ModelRecord find(String idOrName) {
    ModelDao dao = modelDao;
    return dao.findById(idOrName).or(() -> dao.findByName(idOrName))
        .orElseThrow(() -> ApiException.notFound("Model", idOrName));
  }

  private void tables(ServerRequest req, ServerResponse res) {
    Map<String, Long> counts = new LinkedHashMap<>();
    db.jdbi().useHandle(h -> {
      for (String table : TABLES) {
        // Table names come from the fixed list above, never from the request.
        counts.put(table, h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
      }
    });
    Json.ok(res, counts);
  }
}
