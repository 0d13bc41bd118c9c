package org.humpback.pipelines;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.pipelines.models.ModelPaths;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.pipelines.models.ModelSpec;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.testing.SharedCorpus;

/** Test support: a real SQLite registry with the real YAMNet model registered, and generated audio. */
final class Fixtures {

  private Fixtures() {}

  static Database openDb(Path dir) {
    return Database.open("jdbc:sqlite:" + dir.resolve("humpback.db"));
  }

  /** Registers the shared YAMNet TFLite (16 kHz, 0.975 s, waveform) as the default model. */
  static ModelRecord registerYamnet(Database db) {
    Path model = SharedCorpus.yamnet();
    ModelRegistry registry = new ModelRegistry(db.jdbi(), new ModelPaths(model.getParent(), List.of()), ModelProbe::probe);
    return registry.find("yamnet").orElseGet(() -> registry.register(ModelSpec.of(model.toString()).withName("yamnet").withMakeDefault(true)));
  }

  static JobRunner.Settings testSettings(String workerId) {
    return JobRunner.Settings.defaults(workerId).withEnforceChecks(true).withHeartbeatInterval(java.time.Duration.ofMillis(200));
  }

  static ProcessingJob job(String audioFileId, ModelRecord model, String featureConfigJson) {
    var fe = EncodingJobs.frontEnd(model, featureConfigJson, null, null);
    return ProcessingJob.queued(audioFileId, EncodingJobs.signature(model, fe), model.name(), fe.windowSeconds(),
        fe.sampleRate(), featureConfigJson, 3);
  }

  /** A 16-bit mono PCM WAV of a chirp; {@code seed} makes each file's bytes (and so SHA-256) distinct. */
  static Path chirpWav(Path file, double seconds, int rate, int seed) throws IOException {
    int n = (int) Math.round(seconds * rate);
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
        .putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes()).putInt(2 * n);
    double f0 = 200 + 37 * seed;
    for (int i = 0; i < n; i++) {
      double t = (double) i / rate;
      double v = 0.3 * Math.sin(2 * Math.PI * (f0 * t + 150 * t * t)) + 0.02 * Math.sin(2 * Math.PI * 50 * seed * t);
      b.putShort((short) Math.round(v * 32767));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, b.array());
    return file;
  }
}
