package org.humpback.rest;

import io.helidon.common.SerializationConfig;
import io.helidon.http.Method;
import io.helidon.integrations.openapi.ui.OpenApiUi;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.util.LinkedHashMap;
import java.util.Map;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.pipelines.jobs.AudioProbe;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.registry.db.Database;
import org.humpback.rest.admin.AdminService;
import org.humpback.rest.audio.AudioService;
import org.humpback.rest.audio.UploadStore;
import org.humpback.rest.clustering.ClusteringExportService;
import org.humpback.rest.clustering.ClusteringService;
import org.humpback.rest.media.AudioMediaService;
import org.humpback.rest.processing.ProcessingProgressService;
import org.humpback.rest.processing.ProcessingService;
import org.humpback.rest.search.SearchService;

/**
 * The humpback HTTP server: wiring only. {@link #routing} is what the tests reuse; {@link #start} adds the listener,
 * the OpenAPI document ({@code GET /openapi}, from {@code META-INF/openapi.yaml}) and Swagger UI ({@code GET /docs}).
 */
public final class RestServer {

  /** Where the OpenAPI document is served (JSON or YAML by the Accept header). */
  static final String OPENAPI_PATH = "/openapi";
  static final String DOCS_PATH = "/docs";
  static final String HEALTH_PATH = "/health";

  private RestServer() {}

  /** Starts the server (port 0 picks a free one; read it back with {@link WebServer#port()}). */
  public static WebServer start(Database db, ModelRegistry models, RestOptions options, AudioProbe probe) {
    allowPipelineDeserialization();
    return WebServer.builder()
        .host(options.host())
        .port(options.port())
        // Uploads stream to disk, so the server's own payload limit only needs to sit above the upload cap.
        .maxPayloadSize(options.maxUploadBytes() + 2L * 1024 * 1024)
        .addFeature(openApi())
        .directHandlers(ErrorMapping.directHandlers(routeTable(services(db, models, options, probe)),
            serverPaths(models, options)))
        .routing(r -> routing(r, db, models, options, probe))
        .build()
        .start();
  }

  /**
   * Helidon installs a process-wide Java deserialization filter that rejects every class it was not told about. Beam
   * moves DoFns between its stages by Java serialization, so a worker in the same process ({@code serve}) would fail
   * with "filter status: REJECTED". When the JVM has no filter of its own ({@code -Djdk.serialFilter=...}, which is
   * still honoured), leave deserialization unfiltered, as in any plain JVM. The API never deserializes Java objects
   * from the network. Must run before the first Helidon server starts; later calls are no-ops.
   */
  static synchronized void allowPipelineDeserialization() {
    try {
      SerializationConfig.builder().onNoConfig(SerializationConfig.Action.IGNORE).build().configure();
    } catch (IllegalArgumentException e) {
      // Configured once already in this JVM (the filter can be set only once); keep what is there.
      System.getLogger(RestServer.class.getName()).log(System.Logger.Level.WARNING,
          "Java deserialization filter already configured: " + e.getMessage());
    }
  }

  static OpenApiFeature openApi() {
    return OpenApiFeature.builder()
        .webContext(OPENAPI_PATH)
        .staticFile("META-INF/openapi.yaml")
        .servicesDiscoverServices(false)
        .addService(OpenApiUi.builder().webContext(DOCS_PATH).build())
        .build();
  }

  /** Paths in responses are shown relative to the storage root or the models folder. */
  static ServerPaths serverPaths(ModelRegistry models, RestOptions options) {
    return new ServerPaths(options.storageRoot(), models.paths().modelsDir());
  }

  /** The API's services by path prefix; {@link #routing} registers exactly these (the OpenAPI test walks them). */
  static Map<String, HttpService> services(Database db, ModelRegistry models, RestOptions options, AudioProbe probe) {
    Map<String, HttpService> services = new LinkedHashMap<>();
    UploadStore uploads = new UploadStore(options.storageRoot(), options.maxUploadBytes());
    ServerPaths paths = serverPaths(models, options);
    services.put("/audio", new AudioService(db, uploads, new AudioImport(db, options.storageRoot(), probe)));
    services.put("/processing", new ProcessingService(db, options.maxAttempts(), options.frontEndDefaults(), paths));
    services.put("/clustering", new ClusteringService(db, options.maxAttempts(), paths));
    services.put("/admin", new AdminService(db, models, paths));
    // The web app's endpoints (listening, spectrograms, exports, similar windows), beside the seed's own services.
    services.merge("/audio", new AudioMediaService(db), RestServer::both);
    services.merge("/processing", new ProcessingProgressService(db), RestServer::both);
    services.merge("/clustering", new ClusteringExportService(db), RestServer::both);
    services.put("/search", new SearchService(db));
    return services;
  }

  /** Two services under one path prefix, routed in order. */
  private static HttpService both(HttpService first, HttpService second) {
    return rules -> {
      first.routing(rules);
      second.routing(rules);
    };
  }

  /** Every route {@link #routing} registers, for telling a wrong method (405) from an unknown path (404). */
  static RouteTable routeTable(Map<String, HttpService> services) {
    RouteTable table = new RouteTable().add(Method.GET, HEALTH_PATH);
    services.forEach(table::add);
    return table;
  }

  static void routing(HttpRouting.Builder routing, Database db, ModelRegistry models, RestOptions options,
      AudioProbe probe) {
    routing.addFilter(new ConnectionCloseFilter());
    if (options.apiToken() != null) {
      routing.addFilter(new BearerTokenFilter(options.apiToken()));
    }
    Map<String, HttpService> services = services(db, models, options, probe);
    ErrorMapping.register(routing, routeTable(services), serverPaths(models, options));
    routing.get(HEALTH_PATH, (req, res) -> Json.ok(res, Map.of("status", "ok")));
    services.forEach(routing::register);
    routing.register("/", StaticContentService.builder("web").welcomeFileName("index.html").build());
  }
}
