package org.humpback.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.humpback.pipelines.jobs.AudioProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer-token authentication, and the OpenAPI document and Swagger UI, on a server with a token set. */
class AuthAndDocsTest {

  static final String TOKEN = "s3cret-token";
  @TempDir static Path root;
  static TestApi api;

  @BeforeAll
  static void start() {
    api = new TestApi(root, 1024 * 1024, TOKEN, AudioProbe.NONE);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void everyRequestButHealthNeedsTheToken() {
    for (String path : List.of("/audio/", "/processing/jobs", "/clustering/jobs", "/admin/models", "/openapi",
        "/audio/some-id")) {
      TestApi.Resp r = api.token(null).get(path);
      assertEquals(401, r.status(), path + ": " + r);
      assertTrue(r.json().get("detail").asText().contains("Not authenticated"), r::toString);
    }
    assertEquals(401, api.token("wrong").get("/audio/").status());
    assertEquals(401, api.token(null).post("/processing/jobs", "{}").status());
    assertEquals(401, api.token(null).upload("a.wav", TestApi.wav(0.1, 8000, 100), null).status());
    assertEquals(200, api.token(null).get("/health").status());
    // The web page's static files hold no data and a browser cannot add the header to a page load.
    TestApi.Resp page = api.token(null).get("/");
    assertEquals(200, page.status(), page::toString);
    assertTrue(page.body().contains("<title>humpback</title>"));
    assertEquals(200, api.token(null).get("/app.js").status());
    assertEquals(200, api.token(TOKEN).get("/audio/").status());
  }

  @Test
  void openApiDocumentListsEveryRegisteredRoute() throws Exception {
    TestApi.Resp doc = api.token(TOKEN).send(api.base("/openapi").header("Accept", "application/json").GET());
    assertEquals(200, doc.status(), doc::toString);
    JsonNode paths = doc.json().get("paths");
    List<String> missing = new ArrayList<>();
    int routes = 0;
    for (Map.Entry<String, HttpService> e : RestServer.services(api.db, api.models,
        new RestOptions("127.0.0.1", 0, root, 1024, null, 1), AudioProbe.NONE).entrySet()) {
      for (String[] route : recordRoutes(e.getValue())) {
        routes++;
        String path = e.getKey() + route[1];
        JsonNode item = paths.get(path);
        if (item == null || !item.has(route[0])) {
          missing.add(route[0].toUpperCase() + " " + path);
        }
      }
    }
    assertTrue(routes >= 20, "expected the seed's 20+ routes, walked " + routes);
    assertTrue(paths.has("/health"));
    assertTrue(missing.isEmpty(), "routes missing from META-INF/openapi.yaml: " + missing);

    TestApi.Resp yaml = api.send(api.base("/openapi").header("Accept", "application/yaml").GET());
    assertEquals(200, yaml.status());
    assertTrue(yaml.body().contains("openapi: 3.0.3") || yaml.body().contains("openapi: \"3.0.3\""), yaml.body());
  }

  @Test
  void swaggerUiIsServed() {
    TestApi.Resp redirect = api.token(TOKEN).send(api.base("/docs").header("Accept", "text/html").GET());
    TestApi.Resp ui = redirect;
    if (redirect.status() == 307 || redirect.status() == 301 || redirect.status() == 302) {
      ui = api.send(api.base("/docs/index.html").header("Accept", "text/html").GET());
    }
    assertEquals(200, ui.status(), ui::toString);
    assertTrue(ui.body().toLowerCase().contains("swagger") || ui.body().toLowerCase().contains("openapi"),
        ui.body().substring(0, Math.min(300, ui.body().length())));
  }

  /** Runs a service's {@code routing(..)} against a recorder: every (method, path) it registers. */
  static List<String[]> recordRoutes(HttpService service) {
    List<String[]> routes = new ArrayList<>();
    Set<String> verbs = Set.of("get", "post", "put", "delete", "patch");
    HttpRules[] self = new HttpRules[1];
    self[0] = (HttpRules) Proxy.newProxyInstance(HttpRules.class.getClassLoader(), new Class<?>[] {HttpRules.class},
        (proxy, method, args) -> {
          if (verbs.contains(method.getName()) && args != null && args.length == 2 && args[0] instanceof String p
              && args[1] instanceof Handler[]) {
            routes.add(new String[] {method.getName(), p});
            return self[0];
          }
          throw new AssertionError("unexpected routing call " + method + "; extend the recorder");
        });
    service.routing(self[0]);
    return routes;
  }
}
