package org.humpback.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.humpback.pipelines.jobs.Refusal;

/**
 * JSON in and out of handlers: snake_case names, ISO-8601 timestamps, nulls written (the seed's clients expect every
 * listed field). Request bodies are parsed here so a malformed body or a wrong type becomes a 422 naming the field.
 */
public final class Json {

  /** Deepest nesting a request body may have; the seed's bodies need 3 levels, metadata a few more. */
  static final int MAX_NESTING = 64;

  public static final ObjectMapper MAPPER = strict(new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .registerModule(new JavaTimeModule())
      // Registered after JavaTimeModule so its Instant serializer wins; same text, less work (see FastJson).
      .registerModule(FastJson.module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      // Pydantic ignores unknown fields by default; so do we.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // A null inside a list (["a", null]) is refused, not handed to the service as an id "null".
      .setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
      .setSerializationInclusion(JsonInclude.Include.ALWAYS));

  /**
   * No coercion between JSON types, as Pydantic's strict fields: {@code 123} is not the string "123", {@code "5"} is
   * not the number 5, {@code 2.5} is not the integer 2, and {@code true} is neither.
   */
  private static ObjectMapper strict(ObjectMapper m) {
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
      m.coercionConfigFor(number)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    m.coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    return m;
  }

  private static final String APPLICATION_JSON = "application/json";

  private Json() {}

  public static void send(ServerResponse res, Status status, Object body) {
    res.status(status).header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON).send(bytes(body));
  }

  /** {@code body} as JSON bytes. */
  public static byte[] bytes(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise response " + body.getClass().getSimpleName(), e);
    }
  }

  public static void ok(ServerResponse res, Object body) {
    send(res, Status.OK_200, body);
  }

  public static void created(ServerResponse res, Object body) {
    send(res, Status.CREATED_201, body);
  }

  /** {@code {"detail": detail}}, the error body of every 4xx/5xx. */
  public static void detail(ServerResponse res, Status status, String detail) {
    send(res, status, Map.of("detail", detail));
  }

  /** Reads the request body as {@code type}; an empty body, bad JSON or a wrong type is a 422 naming the field. */
  public static <T> T read(ServerRequest req, Class<T> type) {
    byte[] body;
    try {
      body = req.content().inputStream().readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading request body", e);
    }
    if (body.length == 0) {
      throw Refusal.invalid("body: a JSON object is required");
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      if (tree == null || !tree.isObject()) {
        throw Refusal.invalid("body: expected a JSON object");
      }
      requireFiniteNumbers(tree, "");
      return MAPPER.treeToValue(tree, type);
    } catch (StreamConstraintsException e) {
      throw Refusal.invalid("body: JSON nested deeper than " + MAX_NESTING + " levels");
    } catch (InvalidFormatException e) {
      throw Refusal.invalid(fieldOf(e) + ": invalid value " + describe(e.getValue())
          + " (expected " + simpleType(e.getTargetType()) + ")");
    } catch (InvalidNullException e) {
      throw Refusal.invalid(fieldOf(e) + ": null is not allowed here");
    } catch (MismatchedInputException e) {
      throw Refusal.invalid(fieldOf(e) + ": wrong type (expected " + simpleType(e.getTargetType()) + ")");
    } catch (JsonMappingException e) {
      // e.g. a record constructor's validation failure; its own message names the parameter.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw Refusal.invalid(fieldOf(e) + ": " + cause.getMessage());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw Refusal.invalid("body: malformed JSON (" + e.getOriginalMessage()
          + (at == null ? "" : ", line " + at.getLineNr() + " column " + at.getColumnNr()) + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("parsing request body", e);
    }
  }

  /**
   * Refuses numbers a double cannot hold ({@code 1e400} parses as Infinity): stored, they would come back as the
   * string "Infinity", which is not JSON.
   */
  private static void requireFiniteNumbers(JsonNode node, String path) {
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      throw Refusal.invalid((path.isEmpty() ? "body" : "field '" + path + "'")
          + ": number out of range (must be a finite double)");
    }
    if (node.isObject()) {
      node.properties().forEach(e -> requireFiniteNumbers(e.getValue(),
          path.isEmpty() ? e.getKey() : path + "." + e.getKey()));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        requireFiniteNumbers(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static String fieldOf(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return path.isEmpty() ? "body" : "field '" + path.replace(".[", "[") + "'";
  }

  private static String describe(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static String simpleType(Class<?> type) {
    if (type == null) {
      return "a different type";
    }
    if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
      return "a number";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type == JsonNode.class) {
      return "an object";
    }
    return type.getSimpleName();
  }
}
