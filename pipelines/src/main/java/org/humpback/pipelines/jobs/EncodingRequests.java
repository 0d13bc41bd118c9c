package org.humpback.pipelines.jobs;

import java.io.UncheckedIOException;
import java.util.Optional;
import org.humpback.pipelines.EncodingJobs;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelException;

/**
 * Encoding requests, whoever makes them ({@code humpback encode}, {@code POST /processing/jobs}): which model, the
 * exact front end and signature, the checks that refuse a job the worker would fail window by window, and
 * enqueue-or-reuse. The worker resolves a queued job with the same {@link EncodingJobs} rules, so the signature a job
 * is queued under is the one its output carries.
 */
public final class EncodingRequests {

  /** The longest window a request may ask for. */
  static final double MAX_WINDOW_SECONDS = 3600;
  static final int MIN_SAMPLE_RATE = 100;
  static final int MAX_SAMPLE_RATE = 768_000;

  private EncodingRequests() {}

  /**
   * What to queue for each file: the model, the front end it will be fed, the signature, and the request's own
   * front-end overrides as stored with the job.
   */
  public record Plan(ModelRecord model, FrontEndConfig frontEnd, String signature, String featureConfigJson) {}

  /**
   * The model a request names, or the default model when it names none.
   *
   * @throws Refusal NOT_FOUND for an unknown name, BAD_REQUEST when no name is given and no model is the default
   */
  public static ModelRecord model(Database db, String name) {
    ModelDao models = db.dao(ModelDao.class);
    if (name == null || name.isBlank()) {
      return models.findDefault().orElseThrow(() -> Refusal.badRequest("No default model is registered: register one "
          + "('humpback models add <path>' or POST /admin/models) or name a model"));
    }
    return models.findByName(name).orElseThrow(() -> Refusal.notFound("No model named '" + name + "' is registered"));
  }

  /**
   * Resolves and checks a request: the front end is the installation's defaults, then the model's settings, then the
   * request's overrides; a front end whose windows the model cannot take is refused here, by the rule the worker
   * applies to each window.
   *
   * @param defaults the installation's front-end defaults ({@link EncodingJobs#defaults})
   * @param featureConfigJson the request's front-end overrides (snake_case JSON object), or {@code null}
   * @param windowSeconds the request's window, or {@code null} for the model's own
   * @param sampleRate the request's target rate, or {@code null} for the model's own
   * @throws Refusal INVALID for a value out of range or a front end the model cannot take, BAD_REQUEST when the
   *     model cannot be opened
   */
  public static Plan plan(ModelRecord model, FrontEndConfig defaults, String featureConfigJson, Double windowSeconds,
      Integer sampleRate) {
    if (windowSeconds != null && !(windowSeconds > 0 && windowSeconds <= MAX_WINDOW_SECONDS)) {
      throw Refusal.invalid("field 'window_size_seconds': " + windowSeconds + " is out of range (0, 3600]");
    }
    if (sampleRate != null && (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE)) {
      throw Refusal.invalid("field 'target_sample_rate': " + sampleRate + " is out of range [100, 768000]");
    }
    FrontEndConfig frontEnd;
    try {
      frontEnd = EncodingJobs.frontEnd(defaults, model, featureConfigJson, windowSeconds, sampleRate);
    } catch (IllegalArgumentException e) {
      throw Refusal.invalid("field 'feature_config': " + e.getMessage());
    }
    String signature;
    Optional<String> misfit;
    try {
      signature = EncodingJobs.signature(model, frontEnd);
      misfit = EncodingJobs.windowMismatch(model, frontEnd);
    } catch (ModelException | IllegalArgumentException | UncheckedIOException e) {
      throw new Refusal(Refusal.Kind.BAD_REQUEST, "Model '" + model.name() + "' cannot be used: " + e.getMessage(), e);
    }
    misfit.ifPresent(why -> {
      throw Refusal.invalid("Model '" + model.name() + "' cannot encode this job: " + why + " ("
          + frontEnd.windowSeconds() + " s windows at " + frontEnd.sampleRate() + " Hz); set the window and sample rate "
          + "('window_size_seconds', 'target_sample_rate') to the model's input, or leave them out to use the model's own");
    });
    return new Plan(model, frontEnd, signature, featureConfigJson);
  }

  /**
   * The job for one file: the one already queued or running for the same (file, signature), else a new one. Running
   * the same request twice therefore queues nothing new; a finished encoding is reused by the worker (skipped).
   */
  public static ProcessingJob enqueue(Database db, Plan plan, String audioFileId, int maxAttempts) {
    return db.dao(ProcessingJobDao.class).findActive(audioFileId, plan.signature())
        .orElseGet(() -> JobQueue.processing(db.jdbi()).enqueue(ProcessingJob.queued(audioFileId, plan.signature(),
            plan.model().name(), plan.frontEnd().windowSeconds(), plan.frontEnd().sampleRate(), plan.featureConfigJson(),
            maxAttempts)));
  }
}
