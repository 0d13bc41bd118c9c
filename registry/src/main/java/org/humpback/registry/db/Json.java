package org.humpback.registry.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** JSON text for the JSON columns: checked on the way in, parsed on demand on the way out. */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Serialises a value (Map, List, record, JsonNode) to JSON text; {@code null} stays null. */
  public static String write(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses JSON text; {@code null} stays null. */
  public static JsonNode read(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid JSON: " + e.getOriginalMessage() + " in '" + abbreviate(text) + "'", e);
    }
  }

  public static List<String> readStringList(String text) {
    if (text == null) {
      return List.of();
    }
    try {
      return MAPPER.readValue(text, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid JSON string list: '" + abbreviate(text) + "'", e);
    }
  }

  /** Checks that {@code text} is valid JSON (or null) and returns it unchanged. */
  public static String requireValid(String column, String text) {
    if (text != null) {
      try {
        MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("Invalid " + column + ": not JSON (" + e.getOriginalMessage() + "): '" + abbreviate(text) + "'", e);
      }
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
