package org.humpback.rest;

import java.nio.file.Path;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.transforms.audio.FrontEndConfig;

/**
 * What the REST layer needs from the configuration ({@code HUMPBACK_*} variables, read by the commands).
 *
 * @param host interface to bind ({@code HUMPBACK_HOST}, default 127.0.0.1)
 * @param port TCP port ({@code HUMPBACK_PORT}, default 8000; 0 picks a free one)
 * @param storageRoot where uploads are kept ({@code HUMPBACK_STORAGE_ROOT})
 * @param maxUploadBytes upload cap ({@code HUMPBACK_MAX_UPLOAD_MB} in bytes)
 * @param apiToken bearer token every request but {@code /health} needs; {@code null} = no authentication
 * @param maxAttempts how many times a worker may claim a job before it fails for good
 * @param frontEndDefaults what new encoding jobs start from before the model's and the request's
 *     settings ({@code HUMPBACK_WINDOW_SIZE_SECONDS}, {@code HUMPBACK_TARGET_SAMPLE_RATE})
 */
public record RestOptions(
    String host, int port, Path storageRoot, long maxUploadBytes, String apiToken, int maxAttempts,
    FrontEndConfig frontEndDefaults) {

  /** Options with the project's front-end defaults. */
  public RestOptions(String host, int port, Path storageRoot, long maxUploadBytes, String apiToken, int maxAttempts) {
    this(host, port, storageRoot, maxUploadBytes, apiToken, maxAttempts, FrontEndConfig.defaults());
  }

  public RestOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("Invalid HUMPBACK_HOST: empty");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("Invalid HUMPBACK_PORT: " + port + " (expected 0..65535)");
    }
    if (maxUploadBytes <= 0) {
      throw new IllegalArgumentException("Invalid HUMPBACK_MAX_UPLOAD_MB: " + maxUploadBytes + " bytes (expected > 0)");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("Invalid max attempts: " + maxAttempts + " (expected >= 1)");
    }
    storageRoot = storageRoot.toAbsolutePath().normalize();
    if (apiToken != null && apiToken.isBlank()) {
      // Never read as "no authentication": a blank secret is a configuration mistake.
      throw new IllegalArgumentException("Invalid HUMPBACK_API_TOKEN: blank (set a token, or none to serve without "
          + "authentication)");
    }
    frontEndDefaults = frontEndDefaults == null ? FrontEndConfig.defaults() : frontEndDefaults;
  }

  /** The REST settings of the application's {@code HUMPBACK_*} settings. */
  public static RestOptions from(HumpbackSettings s) {
    return new RestOptions(s.host(), s.port(), s.storageRoot(), s.maxUploadMb() * 1024 * 1024, s.apiToken(),
        org.humpback.registry.dao.ProcessingJob.DEFAULT_MAX_ATTEMPTS, org.humpback.pipelines.EncodingJobs.defaults(s));
  }

  public RestOptions withPort(int v) {
    return new RestOptions(host, v, storageRoot, maxUploadBytes, apiToken, maxAttempts, frontEndDefaults);
  }

  public RestOptions withApiToken(String v) {
    return new RestOptions(host, port, storageRoot, maxUploadBytes, v, maxAttempts, frontEndDefaults);
  }

  public RestOptions withMaxUploadBytes(long v) {
    return new RestOptions(host, port, storageRoot, v, apiToken, maxAttempts, frontEndDefaults);
  }
}
