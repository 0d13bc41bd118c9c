package org.humpback.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;

/**
 * How a processing job's columns become the exact encoding it runs: the front-end configuration
 * (defaults, then the model's settings, then the job's overrides) and its {@link EncodingSignature}.
 * Enqueuers (commands, REST) and the {@link JobRunner} use this same code, so the signature a job
 * is queued under is the signature its output carries.
 */
public final class EncodingJobs {

  private static final Map<String, String> CHECKSUMS = new ConcurrentHashMap<>();

  private EncodingJobs() {}

  /**
   * The project's front-end defaults with the installation's {@code HUMPBACK_WINDOW_SIZE_SECONDS} and
   * {@code HUMPBACK_TARGET_SAMPLE_RATE} (5 s and 32 kHz unless set): what a model that does not fix
   * its own window or rate (a log-mel model registered without them) is fed.
   */
  public static FrontEndConfig defaults(HumpbackSettings settings) {
    return FrontEndConfig.defaults().withSampleRate(settings.targetSampleRate())
        .withWindowSeconds(settings.windowSizeSeconds());
  }

  /** {@link #frontEnd(FrontEndConfig, ModelRecord, String, Double, Integer)} on the project defaults. */
  public static FrontEndConfig frontEnd(ModelRecord model, String featureConfigJson, Double windowSeconds, Integer sampleRate) {
    return frontEnd(FrontEndConfig.defaults(), model, featureConfigJson, windowSeconds, sampleRate);
  }

  /**
   * The front end for {@code model} with a job's overrides: {@code base}, then the model's settings,
   * then the job's.
   *
   * @param base the installation's defaults ({@link #defaults(HumpbackSettings)})
   * @param featureConfigJson the job's front-end overrides as JSON (snake_case keys), or {@code null}
   * @param windowSeconds the job's window, or {@code null}
   * @param sampleRate the job's target rate, or {@code null}
   */
  public static FrontEndConfig frontEnd(FrontEndConfig base, ModelRecord model, String featureConfigJson,
      Double windowSeconds, Integer sampleRate) {
    FrontEndConfig c = base;
    if (inputFormat(model) == InputFormat.WAVEFORM) {
      c = c.withFeatures(FeatureType.WAVEFORM);
    }
    c = FrontEndConfig.fromJson(model.frontEndConfig(), c);
    if (model.sampleRate() != null) {
      c = c.withSampleRate(model.sampleRate());
    }
    if (model.windowSeconds() != null) {
      c = c.withWindowSeconds(model.windowSeconds());
    }
    c = FrontEndConfig.fromJson(featureConfigJson, c);
    if (sampleRate != null) {
      c = c.withSampleRate(sampleRate);
    }
    if (windowSeconds != null) {
      c = c.withWindowSeconds(windowSeconds);
    }
    return c;
  }

  /** The values one window hands the model: its samples for a waveform model, {@code n_mels × frames} for log-mel. */
  public static int valuesPerWindow(FrontEndConfig frontEnd) {
    return frontEnd.features() == FeatureType.WAVEFORM ? frontEnd.windowSamples()
        : frontEnd.nMels() * frontEnd.outputFrames();
  }

  /**
   * Why {@code model} cannot take {@code frontEnd}'s windows, by the rule the worker applies to each window
   * ({@link EmbeddingModels#windowMismatch}), or empty. With frame pooling ({@code frame_hop_seconds}) windows are cut
   * to the model's input, so any window fits. Opens the model to read its input.
   *
   * @throws org.humpback.transforms.model.ModelException when the model cannot be opened
   */
  public static Optional<String> windowMismatch(ModelRecord model, FrontEndConfig frontEnd) {
    if (frontEnd.frameHopSamples() > 0) {
      return Optional.empty();
    }
    TensorInfo input = ModelProbe.probe(modelConfig(model)).selectedInput();
    return EmbeddingModels.windowMismatch(valuesPerWindow(frontEnd), input);
  }

  /** How to open a registered model (its stored wire names read as the model code's types); default threads and batch. */
  public static ModelConfig modelConfig(ModelRecord model) {
    return new ModelConfig(model.path(), ModelType.fromWireName(model.modelType()), model.signatureName(),
        model.inputName(), model.outputName(), inputFormat(model), model.transposeSpectrogram(), 0, 1);
  }

  /** The registered input format, or {@code null} when none is stored (the model's input shape decides). */
  public static InputFormat inputFormat(ModelRecord model) {
    return model.inputFormat() == null ? null : InputFormat.fromWireName(model.inputFormat());
  }

  /** How to open the model, with the runtime knobs (which do not enter the signature). */
  public static ModelConfig modelConfig(ModelRecord model, int threads, int batchSize) {
    return modelConfig(model).withThreads(threads).withBatchSize(batchSize);
  }

  /** The signature of encoding with {@code model} and {@code frontEnd}. */
  public static String signature(ModelRecord model, FrontEndConfig frontEnd) {
    return EncodingSignature.compute(model.name(), modelChecksum(Path.of(model.path())), modelConfig(model), frontEnd);
  }

  /**
   * {@link EncodingSignature#modelChecksum}, cached per (path, size, modification time) so a worker
   * does not re-read a large model for every job.
   */
  public static String modelChecksum(Path model) {
    String key;
    try {
      BasicFileAttributes a = Files.readAttributes(model, BasicFileAttributes.class);
      key = model.toAbsolutePath().normalize() + "|" + a.size() + "|" + a.lastModifiedTime().toMillis() + "|" + a.isDirectory();
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid model path: " + model + " (" + e.getMessage() + ")");
    }
    return CHECKSUMS.computeIfAbsent(key, k -> EncodingSignature.modelChecksum(model));
  }
}
