package org.humpback.rest;

import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The API's routes as its services declare them, so a request no route took can be told apart: a known path with
 * another method is 405 with {@code Allow}, anything else 404. Filled by running each service's own
 * {@link HttpService#routing} against a recorder (Helidon's public {@link HttpRules}), so a new route is known here
 * without being listed twice.
 */
final class RouteTable {

  /** The methods {@code Allow} can name, in the order it lists them. */
  private static final List<Method> METHODS = List.of(Method.GET, Method.HEAD, Method.POST, Method.PUT,
      Method.PATCH, Method.DELETE, Method.OPTIONS);

  private record Entry(String prefix, HttpRoute route) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Records the routes {@code service} registers under {@code prefix} ({@code ""} for the root). */
  RouteTable add(String prefix, HttpService service) {
    service.routing(new Recorder(prefix));
    return this;
  }

  /** Records one route registered on the routing itself. */
  RouteTable add(Method method, String path) {
    new Recorder("").route(method, path, (req, res) -> { });
    return this;
  }

  /** The methods some route takes at {@code path}; empty when the path is unknown. */
  Set<Method> allowed(String path) {
    Set<Method> allowed = new LinkedHashSet<>();
    for (Entry e : entries) {
      String rest = relative(e.prefix(), path);
      if (rest == null) {
        continue;
      }
      for (Method m : METHODS) {
        if (!allowed.contains(m) && e.route().accepts(prologue(m, rest)).accepted()) {
          allowed.add(m);
        }
      }
    }
    return allowed;
  }

  private static String relative(String prefix, String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    if (path.equals(prefix)) {
      return "/";
    }
    return path.startsWith(prefix + "/") ? path.substring(prefix.length()) : null;
  }

  private static HttpPrologue prologue(Method method, String path) {
    return HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", method, path, false);
  }

  /** Collects routes; nested services keep their prefix. */
  private final class Recorder implements HttpRules {
    private final String prefix;

    Recorder(String prefix) {
      this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    @Override
    public HttpRules register(HttpService... services) {
      for (HttpService s : services) {
        s.routing(this);
      }
      return this;
    }

    @Override
    public HttpRules register(String pathPattern, HttpService... services) {
      Recorder nested = new Recorder(prefix + pathPattern);
      for (HttpService s : services) {
        s.routing(nested);
      }
      return this;
    }

    @Override
    public HttpRules route(HttpRoute route) {
      entries.add(new Entry(prefix, route));
      return this;
    }
  }
}
