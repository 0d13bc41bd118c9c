package org.humpback.registry.config;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The application's settings, read from the {@code HUMPBACK_*} environment variables (the seed's
 * names). Relative paths resolve against {@code HUMPBACK_HOME} (set by the {@code ./humpback}
 * launcher), else the working directory.
 *
 * @param home HUMPBACK_HOME: the installation folder
 * @param databaseUrl HUMPBACK_DATABASE_URL: default {@code jdbc:sqlite:<storageRoot>/humpback.db};
 *     the seed's {@code sqlite+aiosqlite:///data/humpback.db} form is accepted too; or PostgreSQL's
 *     {@code jdbc:postgresql://host:port/db}, whose user and password, when not in the URL, come from
 *     HUMPBACK_DATABASE_USER and HUMPBACK_DATABASE_PASSWORD (read by {@code Database.open})
 * @param storageRoot HUMPBACK_STORAGE_ROOT: where audio and embeddings live (default {@code data/})
 * @param modelsDir HUMPBACK_MODELS_DIR: the model folder (default {@code models/})
 * @param windowSizeSeconds HUMPBACK_WINDOW_SIZE_SECONDS (default 5.0)
 * @param targetSampleRate HUMPBACK_TARGET_SAMPLE_RATE in Hz (default 32000)
 * @param vectorDim HUMPBACK_VECTOR_DIM, or {@code null} to take it from the model
 * @param modelPath HUMPBACK_MODEL_PATH: a model to use when none is registered, or {@code null}
 * @param host HUMPBACK_HOST (default 127.0.0.1)
 * @param port HUMPBACK_PORT (default 8000)
 * @param apiToken HUMPBACK_API_TOKEN: bearer token the API requires, or {@code null} for none
 * @param runner HUMPBACK_RUNNER: Beam runner, {@code direct} (default) or {@code flink}
 * @param flinkMaster HUMPBACK_FLINK_MASTER (default {@code [local]})
 * @param maxUploadMb HUMPBACK_MAX_UPLOAD_MB: largest accepted upload (default 2048)
 * @param allowedModelRoots HUMPBACK_ALLOWED_MODEL_ROOTS: folders outside the models dir that
 *     registered model paths may point into, separated by {@code :} or {@code ,} (default none)
 */
public record HumpbackSettings(
    Path home,
    String databaseUrl,
    Path storageRoot,
    Path modelsDir,
    double windowSizeSeconds,
    int targetSampleRate,
    Integer vectorDim,
    String modelPath,
    String host,
    int port,
    String apiToken,
    String runner,
    String flinkMaster,
    long maxUploadMb,
    List<Path> allowedModelRoots) {

  public static final String PREFIX = "HUMPBACK_";

  public HumpbackSettings {
    allowedModelRoots = List.copyOf(allowedModelRoots);
    if (!(windowSizeSeconds > 0) || !Double.isFinite(windowSizeSeconds)) {
      throw new IllegalArgumentException("Invalid HUMPBACK_WINDOW_SIZE_SECONDS: " + windowSizeSeconds + " (expected > 0)");
    }
    if (targetSampleRate < 100 || targetSampleRate > 768_000) {
      throw new IllegalArgumentException("Invalid HUMPBACK_TARGET_SAMPLE_RATE: " + targetSampleRate + " (expected 100..768000 Hz)");
    }
    if (vectorDim != null && vectorDim < 1) {
      throw new IllegalArgumentException("Invalid HUMPBACK_VECTOR_DIM: " + vectorDim + " (expected >= 1)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Invalid HUMPBACK_PORT: " + port + " (expected 0..65535)");
    }
    if (maxUploadMb < 1) {
      throw new IllegalArgumentException("Invalid HUMPBACK_MAX_UPLOAD_MB: " + maxUploadMb + " (expected >= 1)");
    }
    if (!runner.equals("direct") && !runner.equals("flink")) {
      throw new IllegalArgumentException("Invalid HUMPBACK_RUNNER: '" + runner + "' (expected direct or flink)");
    }
  }

  /** Settings from this process's environment. */
  public static HumpbackSettings fromEnvironment() {
    return fromEnv(System.getenv(), Path.of("").toAbsolutePath());
  }

  /**
   * Settings from {@code env}; unset or blank variables take their defaults.
   *
   * @param workingDir the home when HUMPBACK_HOME is unset
   */
  public static HumpbackSettings fromEnv(Map<String, String> env, Path workingDir) {
    Reader r = new Reader(env);
    Path home = r.path("HOME", null, workingDir.toAbsolutePath());
    if (home == null) {
      home = workingDir.toAbsolutePath().normalize();
    }
    Path storage = r.path("STORAGE_ROOT", home, home.resolve("data"));
    String dbUrl = r.string("DATABASE_URL", "jdbc:sqlite:" + storage.resolve("humpback.db"));
    Path models = r.path("MODELS_DIR", home, home.resolve("models"));
    List<Path> roots = new ArrayList<>();
    String rootsText = r.string("ALLOWED_MODEL_ROOTS", "");
    for (String part : rootsText.split("[," + File.pathSeparator + "]")) {
      if (!part.isBlank()) {
        roots.add(home.resolve(part.strip()).toAbsolutePath().normalize());
      }
    }
    return new HumpbackSettings(
        home,
        dbUrl,
        storage,
        models,
        r.decimal("WINDOW_SIZE_SECONDS", 5.0),
        (int) r.integer("TARGET_SAMPLE_RATE", 32000),
        r.has("VECTOR_DIM") ? (int) r.integer("VECTOR_DIM", 0) : null,
        r.string("MODEL_PATH", null),
        r.string("HOST", "127.0.0.1"),
        (int) r.integer("PORT", 8000),
        r.string("API_TOKEN", null),
        r.string("RUNNER", "direct").toLowerCase(java.util.Locale.ROOT),
        r.string("FLINK_MASTER", "[local]"),
        r.integer("MAX_UPLOAD_MB", 2048),
        roots);
  }

  /** Relative paths in the database URL resolve against this folder. */
  public Path databaseBaseDir() {
    return home;
  }

  public HumpbackSettings withDatabaseUrl(String v) {
    return new HumpbackSettings(home, v, storageRoot, modelsDir, windowSizeSeconds, targetSampleRate, vectorDim, modelPath,
        host, port, apiToken, runner, flinkMaster, maxUploadMb, allowedModelRoots);
  }

  public HumpbackSettings withModelsDir(Path v) {
    return new HumpbackSettings(home, databaseUrl, storageRoot, v, windowSizeSeconds, targetSampleRate, vectorDim, modelPath,
        host, port, apiToken, runner, flinkMaster, maxUploadMb, allowedModelRoots);
  }

  public HumpbackSettings withAllowedModelRoots(List<Path> v) {
    return new HumpbackSettings(home, databaseUrl, storageRoot, modelsDir, windowSizeSeconds, targetSampleRate, vectorDim,
        modelPath, host, port, apiToken, runner, flinkMaster, maxUploadMb, v);
  }

  /** Hides the API token. */
  @Override
  public String toString() {
    return "HumpbackSettings[home=" + home + ", databaseUrl=" + databaseUrl + ", storageRoot=" + storageRoot
        + ", modelsDir=" + modelsDir + ", windowSizeSeconds=" + windowSizeSeconds + ", targetSampleRate=" + targetSampleRate
        + ", vectorDim=" + vectorDim + ", modelPath=" + modelPath + ", host=" + host + ", port=" + port
        + ", apiToken=" + (apiToken == null ? "none" : "***") + ", runner=" + runner + ", flinkMaster=" + flinkMaster
        + ", maxUploadMb=" + maxUploadMb + ", allowedModelRoots=" + allowedModelRoots + "]";
  }

  /** Typed reads of HUMPBACK_* variables with messages naming the variable and its value. */
  private record Reader(Map<String, String> env) {

    boolean has(String key) {
      String v = env.get(PREFIX + key);
      return v != null && !v.isBlank();
    }

    String string(String key, String fallback) {
      return has(key) ? env.get(PREFIX + key).strip() : fallback;
    }

    Path path(String key, Path base, Path fallback) {
      if (!has(key)) {
        return fallback == null ? null : fallback.toAbsolutePath().normalize();
      }
      Path p = Path.of(string(key, null));
      return (base == null || p.isAbsolute() ? p : base.resolve(p)).toAbsolutePath().normalize();
    }

    long integer(String key, long fallback) {
      if (!has(key)) {
        return fallback;
      }
      String v = string(key, null);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid " + PREFIX + key + ": '" + v + "' (expected an integer)", e);
      }
    }

    double decimal(String key, double fallback) {
      if (!has(key)) {
        return fallback;
      }
      String v = string(key, null);
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid " + PREFIX + key + ": '" + v + "' (expected a number)", e);
      }
    }
  }
}
