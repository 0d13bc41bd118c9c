package org.humpback.rest.admin;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.db.Database;
import org.humpback.rest.ApiException;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;
import org.humpback.rest.Views.ModelView;

/** {@code /admin}: the model registry and table row counts. */
public final class AdminService implements HttpService {

  /** The tables {@code GET /admin/tables} counts, in schema order. */
  static final List<String> TABLES = List.of("models", "audio_files", "audio_metadata", "processing_jobs",
      "embedding_sets", "clustering_jobs", "clusters", "cluster_assignments");

  private final Database db;
  private final Path modelsDir;

  public AdminService(Database db, Path modelsDir) {
    this.db = db;
    this.modelsDir = modelsDir;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/models", this::listModels)
        .get("/models/scan", this::scan)
        .post("/models/{id}/set-default", this::setDefault)
        .get("/tables", this::tables);
  }

  private void listModels(ServerRequest req, ServerResponse res) {
    Json.ok(res, db.dao(ModelDao.class).list().stream().map(ModelView::of).toList());
  }

  private void scan(ServerRequest req, ServerResponse res) {
    throw ApiException.badRequest("not yet");
  }

  private void setDefault(ServerRequest req, ServerResponse res) {
    String id = Requests.pathId(req);
    ModelDao dao = db.dao(ModelDao.class);
    if (!dao.setDefault(id)) {
      throw ApiException.notFound("Model", id);
    }
    Json.ok(res, ModelView.of(find(id)));
  }

  private ModelRecord find(String id) {
    return db.dao(ModelDao.class).findById(id).orElseThrow(() -> ApiException.notFound("Model", id));
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
