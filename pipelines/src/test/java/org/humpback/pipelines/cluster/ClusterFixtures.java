package org.humpback.pipelines.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.pipelines.JobRunner;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;

/** A temporary registry with embedding sets written from given vectors, for the clustering tests. */
final class ClusterFixtures {

  private ClusterFixtures() {}

  static Database database(Path dir) {
    return Database.open(dir.resolve("humpback.db").toString());
  }

  static JobRunner.Settings settings() {
    return JobRunner.Settings.defaults("test-worker").withHeartbeatInterval(Duration.ofMillis(200))
        .withEnforceChecks(true);
  }

  /**
   * Registers an audio file (with optional tag_data JSON) and an embedding set holding {@code vectors} as rows
   * 0..n-1 with 1-s windows.
   */
  static EmbeddingSet addSet(Database db, Path storage, String model, float[][] vectors, String tagDataJson) {
    String audioId = Ids.newId();
    db.dao(AudioFileDao.class).insert(new AudioFile(audioId, audioId + ".wav", "test", sha(audioId), 60.0, 16000, 1,
        null, Timestamps.now()));
    if (tagDataJson != null) {
      db.dao(AudioMetadataDao.class).upsert(new AudioMetadata(null, audioId, tagDataJson, null, null, null));
    }
    int dim = vectors.length == 0 ? 4 : vectors[0].length;
    String signature = sha(audioId + model);
    Path file = Path.of(EmbeddingParquet.path(storage.resolve("embeddings").toString(), model, audioId, signature));
    List<EmbeddingParquet.Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(new EmbeddingParquet.Row(i, i, i + 1.0, vectors[i]));
    }
    EmbeddingParquet.write(file.toString(), new EmbeddingParquet.Metadata(model, model, signature, "{}", sha(audioId), dim, "test"),
        rows.iterator());
    EmbeddingSet set = new EmbeddingSet(Ids.newId(), audioId, signature, model, 1.0, 16000, dim, file.toString(),
        (long) vectors.length, Timestamps.now());
    db.dao(EmbeddingSetDao.class).insert(set);
    return set;
  }

  static String sha(String s) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
