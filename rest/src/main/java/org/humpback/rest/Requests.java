package org.humpback.rest;

import io.helidon.webserver.http.ServerRequest;
import org.humpback.pipelines.jobs.Refusal;

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
      throw Refusal.invalid("query parameter '" + name + "': invalid integer \"" + raw + "\"");
    }
    if (parsed < min || parsed > max) {
      throw Refusal.invalid("query parameter '" + name + "': " + parsed + " is out of range [" + min + ", "
          + max + "]");
    }
    return parsed;
  }

  /** A finite number in {@code [min, max]}, or {@code defaultValue} when absent; otherwise a 422 naming it. */
  public static double doubleQuery(ServerRequest req, String name, double defaultValue, double min, double max) {
    var value = req.query().first(name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    String raw = value.get();
    double parsed;
    try {
      parsed = Double.parseDouble(raw.strip());
    } catch (NumberFormatException e) {
      throw Refusal.invalid("query parameter '" + name + "': invalid number \"" + raw + "\"");
    }
    if (!Double.isFinite(parsed) || parsed < min || parsed > max) {
      throw Refusal.invalid("query parameter '" + name + "': " + raw.strip() + " is out of range [" + min
          + ", " + max + "]");
    }
    return parsed;
  }

  /** {@code true}/{@code false} (also 1/0), or {@code defaultValue} when absent; otherwise a 422 naming it. */
  public static boolean booleanQuery(ServerRequest req, String name, boolean defaultValue) {
    var value = req.query().first(name);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw Refusal.invalid("query parameter '" + name + "': invalid boolean \""
          + value.get() + "\" (expected true or false)");
    };
  }

  /** The page size of list endpoints: {@code limit} (default 100, at most 10,000) and {@code offset}. */
  public record Page(int limit, int offset) {
    public static Page of(ServerRequest req) {
      return new Page(intQuery(req, "limit", 100, 1, 10_000), intQuery(req, "offset", 0, 0, Integer.MAX_VALUE));
    }
  }
}
