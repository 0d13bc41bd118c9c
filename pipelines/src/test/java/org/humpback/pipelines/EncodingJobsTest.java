package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installation defaults, then the model's own settings, then the job's: the order a job's front end is resolved in. */
class EncodingJobsTest {

  private static ModelRecord model(InputFormat format, Integer rate, Double window) {
    return new ModelRecord("m1", "m", "m", "/models/m.tflite", 64, null, true, ModelType.TFLITE.wireName(), format.wireName(), rate, window,
        null, null, null, null, false, "0".repeat(64), Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  void windowAndRateSettingsAreDefaultsBelowTheModelAndTheJob(@TempDir Path home) {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString(),
        "HUMPBACK_WINDOW_SIZE_SECONDS", "2.5", "HUMPBACK_TARGET_SAMPLE_RATE", "16000"), home);
    FrontEndConfig base = EncodingJobs.defaults(s);
    assertEquals(2.5, base.windowSeconds());
    assertEquals(2.5, base.hopSeconds());
    assertEquals(16000, base.sampleRate());

    FrontEndConfig logMel = EncodingJobs.frontEnd(base, model(InputFormat.SPECTROGRAM, null, null), null, null, null);
    assertEquals(2.5, logMel.windowSeconds(), "a model without its own window takes the installation's");
    assertEquals(16000, logMel.sampleRate());

    FrontEndConfig yamnet = EncodingJobs.frontEnd(base, model(InputFormat.WAVEFORM, 16000, 0.975), null, null, null);
    assertEquals(0.975, yamnet.windowSeconds(), "a model's own input length wins");

    FrontEndConfig job = EncodingJobs.frontEnd(base, model(InputFormat.SPECTROGRAM, null, null),
        "{\"hop_seconds\": 1.0}", 4.0, 32000);
    assertEquals(4.0, job.windowSeconds(), "the job's own settings win");
    assertEquals(1.0, job.hopSeconds());
    assertEquals(32000, job.sampleRate());

    HumpbackSettings unset = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString()), home);
    assertEquals(FrontEndConfig.defaults(), EncodingJobs.defaults(unset), "unset: the project defaults, same signatures");
  }
}
