package org.humpback.pipelines.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.humpback.transforms.cluster.Metric;

/**
 * The parameters of a clustering job, as stored in {@code clustering_jobs.parameters} (JSON, the seed's names).
 *
 * <pre>
 *   use_umap           true   reduce with UMAP before HDBSCAN
 *   umap_n_components  2      UMAP output dimensions (the clustering space)
 *   umap_n_neighbors   15     UMAP neighbourhood size (clamped to n-1 for tiny inputs)
 *   umap_min_dist      0.1    UMAP minimum distance in the embedding
 *   min_cluster_size   5      HDBSCAN smallest cluster; a LIST (e.g. [5, 10, 20]) makes a sweep
 *   min_samples        null   HDBSCAN core distance to the min_samples-th nearest other point (the hdbscan
 *                             library's count); null = min_cluster_size
 *   metric             "euclidean" | "cosine": UMAP's input metric, or HDBSCAN's when use_umap is false
 *   random_seed        42     seeds UMAP (and PCA's randomised parts)
 *   pca_components     null   optional PCA before UMAP / HDBSCAN
 *   label_field        null   metadata field to score clusters against, e.g. "tag_data.label"
 *   sample_size        null   fit UMAP + HDBSCAN on this many windows (evenly spaced within each file, every file
 *                             in proportion to its windows), then assign every window in parallel (UMAP transform,
 *                             HDBSCAN approximate_predict); null = fit on all windows
 * </pre>
 * Unknown names are refused (a typo would otherwise silently run with a default).
 *
 * @param minClusterSizes one value, or several for a sweep; the first is the one whose clusters are stored
 */
public record ClusteringParameters(
    boolean useUmap,
    int umapNComponents,
    int umapNNeighbors,
    double umapMinDist,
    List<Integer> minClusterSizes,
    Integer minSamples,
    Metric metric,
    long randomSeed,
    Integer pcaComponents,
    String labelField,
    Integer sampleSize) implements Serializable {

  public static final long DEFAULT_SEED = 42L;

  /** The metadata columns a label field or a summary may name; keys inside them follow a dot. */
  public static final List<String> METADATA_FIELDS =
      List.of("tag_data", "visual_observations", "group_composition", "prey_density_proxy");

  static final Set<String> NAMES = Set.of("use_umap", "umap_n_components", "umap_n_neighbors", "umap_min_dist",
      "min_cluster_size", "min_samples", "metric", "random_seed", "pca_components", "label_field",
      "sample_size");

  /** The smallest sample a job may fit on: fewer windows leave UMAP's and HDBSCAN's neighbourhoods meaningless. */
  public static final int MIN_SAMPLE_SIZE = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  public ClusteringParameters {
    if (umapNComponents < 1) {
      throw invalid("umap_n_components", umapNComponents, "expected >= 1");
    }
    if (umapNNeighbors < 2) {
      throw invalid("umap_n_neighbors", umapNNeighbors, "expected >= 2");
    }
    if (!(umapMinDist >= 0 && umapMinDist <= 1)) {
      throw invalid("umap_min_dist", umapMinDist, "expected a value in [0, 1] (UMAP's spread is 1)");
    }
    if (minClusterSizes == null || minClusterSizes.isEmpty()) {
      throw invalid("min_cluster_size", minClusterSizes, "expected an integer >= 2 or a non-empty list of them");
    }
    for (Integer v : minClusterSizes) {
      if (v == null || v < 2) {
        throw invalid("min_cluster_size", minClusterSizes, "every value must be an integer >= 2");
      }
    }
    if (minClusterSizes.stream().distinct().count() != minClusterSizes.size()) {
      throw invalid("min_cluster_size", minClusterSizes, "sweep values must be distinct");
    }
    minClusterSizes = List.copyOf(minClusterSizes);
    if (minSamples != null && minSamples < 1) {
      throw invalid("min_samples", minSamples, "expected >= 1 or null");
    }
    if (metric == null) {
      throw invalid("metric", null, "expected euclidean or cosine");
    }
    if (pcaComponents != null && pcaComponents < 1) {
      throw invalid("pca_components", pcaComponents, "expected >= 1 or null");
    }
    if (sampleSize != null && sampleSize < MIN_SAMPLE_SIZE) {
      throw invalid("sample_size", sampleSize, "expected an integer >= " + MIN_SAMPLE_SIZE + " or null (fit on all "
          + "windows)");
    }
    if (labelField != null) {
      String field = labelField.contains(".") ? labelField.substring(0, labelField.indexOf('.')) : labelField;
      if (!METADATA_FIELDS.contains(field) || labelField.endsWith(".")) {
        throw invalid("label_field", "'" + labelField + "'",
            "expected one of " + METADATA_FIELDS + ", optionally followed by .key (e.g. tag_data.label)");
      }
    }
  }

  /** The seed's defaults. */
  public static ClusteringParameters defaults() {
    return new ClusteringParameters(true, 2, 15, 0.1, List.of(5), null, Metric.EUCLIDEAN, DEFAULT_SEED, null, null,
        null);
  }

  /**
   * Parses the JSON object of a job; {@code null}, blank or {@code "null"} give the defaults.
   *
   * @throws IllegalArgumentException naming the field and its bad value
   */
  public static ClusteringParameters parse(String json) {
    if (json == null || json.isBlank()) {
      return defaults();
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid clustering parameters: not JSON (" + e.getOriginalMessage() + ")", e);
    }
    return fromJson(root);
  }

  /** Like {@link #parse} from a parsed node. */
  public static ClusteringParameters fromJson(JsonNode root) {
    if (root == null || root.isNull() || root.isMissingNode()) {
      return defaults();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("Invalid clustering parameters: expected a JSON object, got " + root.getNodeType());
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException("Unknown clustering parameter '" + name + "' (known: "
            + NAMES.stream().sorted().toList() + ")");
      }
    }
    ClusteringParameters d = defaults();
    return new ClusteringParameters(
        bool(root, "use_umap", d.useUmap),
        integer(root, "umap_n_components", d.umapNComponents),
        integer(root, "umap_n_neighbors", d.umapNNeighbors),
        number(root, "umap_min_dist", d.umapMinDist),
        minClusterSizes(root.get("min_cluster_size"), d.minClusterSizes),
        nullableInteger(root, "min_samples"),
        metric(root.get("metric")),
        root.hasNonNull("random_seed") ? longValue(root, "random_seed") : d.randomSeed,
        nullableInteger(root, "pca_components"),
        text(root, "label_field"),
        nullableInteger(root, "sample_size"));
  }

  /** The canonical JSON (every field, the sweep as a list only when it has several values). */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("use_umap", useUmap);
    o.put("umap_n_components", umapNComponents);
    o.put("umap_n_neighbors", umapNNeighbors);
    o.put("umap_min_dist", umapMinDist);
    if (isSweep()) {
      ArrayNode a = o.putArray("min_cluster_size");
      minClusterSizes.forEach(a::add);
    } else {
      o.put("min_cluster_size", minClusterSizes.get(0));
    }
    if (minSamples == null) {
      o.putNull("min_samples");
    } else {
      o.put("min_samples", minSamples);
    }
    o.put("metric", metric.name().toLowerCase(Locale.ROOT));
    o.put("random_seed", randomSeed);
    if (pcaComponents == null) {
      o.putNull("pca_components");
    } else {
      o.put("pca_components", pcaComponents);
    }
    if (labelField == null) {
      o.putNull("label_field");
    } else {
      o.put("label_field", labelField);
    }
    if (sampleSize == null) {
      o.putNull("sample_size");
    } else {
      o.put("sample_size", sampleSize);
    }
    return o.toString();
  }

  /** The first (stored) min_cluster_size. */
  public int minClusterSize() {
    return minClusterSizes.get(0);
  }

  public boolean isSweep() {
    return minClusterSizes.size() > 1;
  }

  public ClusteringParameters withUseUmap(boolean v) {
    return new ClusteringParameters(v, umapNComponents, umapNNeighbors, umapMinDist, minClusterSizes, minSamples, metric,
        randomSeed, pcaComponents, labelField, sampleSize);
  }

  public ClusteringParameters withMinClusterSizes(List<Integer> v) {
    return new ClusteringParameters(useUmap, umapNComponents, umapNNeighbors, umapMinDist, v, minSamples, metric,
        randomSeed, pcaComponents, labelField, sampleSize);
  }

  public ClusteringParameters withLabelField(String v) {
    return new ClusteringParameters(useUmap, umapNComponents, umapNNeighbors, umapMinDist, minClusterSizes, minSamples,
        metric, randomSeed, pcaComponents, v, sampleSize);
  }

  public ClusteringParameters withSampleSize(Integer v) {
    return new ClusteringParameters(useUmap, umapNComponents, umapNNeighbors, umapMinDist, minClusterSizes, minSamples,
        metric, randomSeed, pcaComponents, labelField, v);
  }

  // ---- field readers: each names the field in its error ----------------------------------------------------------

  private static boolean bool(JsonNode root, String name, boolean dflt) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw invalid(name, n, "expected true or false");
    }
    return n.booleanValue();
  }

  private static int integer(JsonNode root, String name, int dflt) {
    Integer v = nullableInteger(root, name);
    return v == null ? dflt : v;
  }

  private static Integer nullableInteger(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    return intOf(name, n);
  }

  private static int intOf(String name, JsonNode n) {
    if (n.isIntegralNumber() && n.canConvertToInt()) {
      return n.intValue();
    }
    if (n.isFloatingPointNumber() && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e9) {
      return (int) n.doubleValue(); // 5.0 from a JavaScript client
    }
    throw invalid(name, n, "expected an integer");
  }

  private static long longValue(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    throw invalid(name, n, "expected an integer");
  }

  private static double number(JsonNode root, String name, double dflt) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw invalid(name, n, "expected a number");
    }
    return n.doubleValue();
  }

  private static String text(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual() || n.textValue().isBlank()) {
      throw invalid(name, n, "expected a non-empty string");
    }
    return n.textValue().trim();
  }

  private static List<Integer> minClusterSizes(JsonNode n, List<Integer> dflt) {
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (n.isArray()) {
      List<Integer> out = new ArrayList<>();
      for (JsonNode e : n) {
        out.add(intOf("min_cluster_size", e));
      }
      return out;
    }
    return List.of(intOf("min_cluster_size", n));
  }

  private static Metric metric(JsonNode n) {
    if (n == null || n.isNull()) {
      return Metric.EUCLIDEAN;
    }
    if (n.isTextual()) {
      switch (n.textValue().trim().toLowerCase(Locale.ROOT)) {
        case "euclidean" -> {
          return Metric.EUCLIDEAN;
        }
        case "cosine" -> {
          return Metric.COSINE;
        }
        default -> { }
      }
    }
    throw invalid("metric", n, "expected \"euclidean\" or \"cosine\"");
  }

  /** The most UMAP output dimensions a clustering job may ask for (umap-learn's users stay far below it). */
  public static final int MAX_UMAP_COMPONENTS = 100;

  /**
   * Refuses parameters that cannot work on the selected data, naming the parameter and the data's size, before a job
   * is queued: a huge {@code umap_n_components} or {@code min_cluster_size} would hold the queue for minutes for
   * nothing, and {@code pca_components} above the vectors' dims would be silently ignored.
   *
   * @param points the number of vectors (windows) in the selected sets, or a negative value when unknown
   * @param dims their dimension
   */
  public void requireFits(long points, int dims) {
    if (useUmap && umapNComponents > MAX_UMAP_COMPONENTS) {
      throw invalid("umap_n_components", umapNComponents, "expected at most " + MAX_UMAP_COMPONENTS);
    }
    if (pcaComponents != null && pcaComponents > dims) {
      throw invalid("pca_components", pcaComponents, "the selected embedding sets have " + dims + " dims; expected "
          + "at most " + dims + " or null");
    }
    if (points < 0) {
      return;
    }
    // Below 4 points UMAP is skipped (noted in the job), so its components only matter from there on.
    if (useUmap && points >= 4 && umapNComponents >= points) {
      throw invalid("umap_n_components", umapNComponents, "the selected embedding sets have " + points
          + " points; expected fewer components than points");
    }
    // A cluster larger than the data cannot exist; the seed's default stays allowed on tiny data (all noise, as there).
    int dflt = defaults().minClusterSize();
    for (int size : minClusterSizes) {
      if (size > points && size > dflt) {
        throw invalid("min_cluster_size", size, "the selected embedding sets have " + points + " points; a cluster "
            + "cannot be larger");
      }
    }
  }

  private static IllegalArgumentException invalid(String name, Object value, String expected) {
    return new IllegalArgumentException("Invalid " + name + ": " + value + " (" + expected + ")");
  }
}
