package org.humpback.rest;

import io.helidon.webserver.http.ServerRequest;

/** Path and query parameters, validated with 422s that name the parameter, as FastAPI does. */
public final class Requests {

  private Requests() {}

  public static String pathId(ServerRequest req) {
    return req.path().pathParameters().get("id");
  }

  public static int intQuery(ServerRequest req, String name, int defaultValue, int min, int max) {
    var value = req.query().first(name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    String raw = value.get();
    int parsed;
    try {
      parsed = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw ApiException.unprocessable("query parameter '" + name + "': invalid integer \"" + raw + "\"");
    }
    if (parsed < min || parsed > max) {
      throw ApiException.unprocessable("query parameter '" + name + "': " + parsed + " is out of range [" + min + ", "
          + max + "]");
    }
    return parsed;
  }

  /** The page size of list endpoints: {@code limit} (default 100, at most 10,000) and {@code offset}. */
  public record Page(int limit, int offset) {
    public static Page of(ServerRequest req) {
      return new Page(intQuery(req, "limit", 100, 1, 10_000), intQuery(req, "offset", 0, 0, Integer.MAX_VALUE));
    }
  }
}
