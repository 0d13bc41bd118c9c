package org.humpback.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.humpback.registry.dao.AudioMetadata;

/**
 * Per-cluster counts of metadata values.
 *
 * <p>Each window inherits the metadata of its audio file (embedding set → audio file → audio_metadata). A file's
 * metadata is flattened to {@code field path → value text}: each of {@code tag_data, visual_observations,
 * group_composition, prey_density_proxy} gives its own entry (a scalar as its text, strings unquoted; an object or
 * array as compact JSON), and every key of an object field gives {@code "field.key"} (e.g. {@code tag_data.label}).
 * JSON nulls and missing fields are not counted. A cluster's summary is {@code {field path: {value: count}}}, paths
 * and values sorted.
 */
public final class MetadataSummaries {

  private static final ObjectMapper JSON = new ObjectMapper();

  private MetadataSummaries() {}

  /** The flattened metadata of one audio file; empty when it has none. */
  public static Map<String, String> flatten(AudioMetadata m) {
    Map<String, String> out = new TreeMap<>();
    if (m == null) {
      return out;
    }
    put(out, "tag_data", m.tagData());
    put(out, "visual_observations", m.visualObservations());
    put(out, "group_composition", m.groupComposition());
    put(out, "prey_density_proxy", m.preyDensityProxy());
    return out;
  }

  private static void put(Map<String, String> out, String field, String jsonText) {
    if (jsonText == null) {
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(jsonText);
    } catch (java.io.IOException e) {
      // Stored JSON is checked on the way in; text that still does not parse is counted as it is.
      out.put(field, jsonText);
      return;
    }
    if (n == null || n.isNull() || n.isMissingNode()) {
      return;
    }
    out.put(field, text(n));
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          out.put(field + "." + e.getKey(), text(e.getValue()));
        }
      }
    }
  }

  private static String text(JsonNode n) {
    return n.isValueNode() ? n.asText() : n.toString();
  }

  /**
   * Summaries per cluster label (noise included as -1).
   *
   * @param labels cluster label per window
   * @param windowMetadata flattened metadata per window (the same map object may serve many windows)
   */
  public static Map<Integer, Map<String, Map<String, Long>>> summarize(int[] labels, Map<String, String>[] windowMetadata) {
    if (labels.length != windowMetadata.length) {
      throw new IllegalArgumentException("labels has " + labels.length + " entries, windowMetadata " + windowMetadata.length);
    }
    Map<Integer, Map<String, Map<String, Long>>> out = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      Map<String, Map<String, Long>> s = out.computeIfAbsent(labels[i], k -> new TreeMap<>());
      Map<String, String> md = windowMetadata[i];
      if (md == null) {
        continue;
      }
      for (Map.Entry<String, String> e : md.entrySet()) {
        s.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(e.getValue(), 1L, Long::sum);
      }
    }
    return out;
  }

  /**
   * Like {@link #summarize(int[], Map[])} from window counts: {@code counts} holds, per cluster label, the number of
   * windows of each embedding set, and {@code setMetadata} each set's flattened metadata (all windows of a set share
   * it).
   */
  public static Map<Integer, Map<String, Map<String, Long>>> summarize(Map<Integer, Map<String, Long>> counts,
                                                                       Map<String, Map<String, String>> setMetadata) {
    Map<Integer, Map<String, Map<String, Long>>> out = new TreeMap<>();
    for (Map.Entry<Integer, Map<String, Long>> c : counts.entrySet()) {
      Map<String, Map<String, Long>> s = out.computeIfAbsent(c.getKey(), k -> new TreeMap<>());
      for (Map.Entry<String, Long> set : c.getValue().entrySet()) {
        Map<String, String> md = setMetadata.get(set.getKey());
        if (md == null) {
          continue;
        }
        for (Map.Entry<String, String> e : md.entrySet()) {
          s.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(e.getValue(), set.getValue(), Long::sum);
        }
      }
    }
    return out;
  }

  /** The value of {@code labelField} per window (null where the window's file lacks it). */
  public static String[] labels(String labelField, Map<String, String>[] windowMetadata) {
    String[] out = new String[windowMetadata.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = windowMetadata[i] == null ? null : windowMetadata[i].get(labelField);
    }
    return out;
  }

  /** A copy with insertion order kept, for JSON output. */
  static Map<String, Object> asJson(Map<String, Map<String, Long>> summary) {
    return new LinkedHashMap<>(summary);
  }
}
