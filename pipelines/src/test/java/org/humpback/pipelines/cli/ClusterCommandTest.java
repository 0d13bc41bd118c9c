package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.transforms.cluster.GaussianBlobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(HumpbackSettings s, String... args) {
    return ClusterCommand.run(args, s, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** One embedding set of 2-D vectors (2-D: the clustering space is its own plot, no UMAP needed). */
  private static String addSet(Database db, Path storage, String model, float[][] v) {
    String audio = Ids.newId();
    db.dao(AudioFileDao.class).insert(new AudioFile(audio, "a.wav", "t", audio.replace("-", "") + "0".repeat(32), 10.0,
        16000, 1, null, Timestamps.now()));
    String sig = "a".repeat(64);
    Path file = Path.of(EmbeddingParquet.path(storage.resolve("embeddings").toString(), model, audio, sig));
    List<EmbeddingParquet.Row> rows = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      rows.add(new EmbeddingParquet.Row(i, i, i + 1, v[i]));
    }
    EmbeddingParquet.write(file.toString(), new EmbeddingParquet.Metadata(model, model, sig, "{}", "b".repeat(64), v[0].length,
        "test"), rows.iterator());
    String id = Ids.newId();
    db.dao(EmbeddingSetDao.class).insert(new EmbeddingSet(id, audio, sig, model, 1.0, 16000, v[0].length,
        file.toString(), (long) v.length, Timestamps.now()));
    return id;
  }

  @Test
  void aBadFlinkMasterIsAUsageErrorNamingIt(@TempDir Path home) {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString()), home);
    assertEquals(2, run(s, "--sets", "x", "--runner", "flink", "--flink-master", "jobmanager"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("Invalid Flink master: 'jobmanager'") && e.contains("host:port"), e);
    // The environment's master is read and checked the same way as the flag.
    HumpbackSettings env = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString(),
        "HUMPBACK_FLINK_MASTER", "http://jm:8081"), home);
    assertEquals(2, run(env, "--sets", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'http://jm:8081'"));
  }

  @Test
  void clustersTheGivenSetsAndPrintsSizesAndMetrics(@TempDir Path home) {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString()), home);
    String id;
    try (Database db = Database.open(s.databaseUrl(), s.databaseBaseDir(), 2, Database.DEFAULT_BUSY_TIMEOUT)) {
      id = addSet(db, s.storageRoot(), "toy", GaussianBlobs.generate(300, 2, 3, 0.4, 10.0, 0.0, 5L).points());
    }
    int code = run(s, "--sets", id, "--params", "{\"use_umap\": false, \"min_cluster_size\": [10, 20]}");
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("complete"), text);
    assertTrue(text.contains("clusters 3"), text);
    assertTrue(text.contains("cluster sizes: 0="), text);
    assertTrue(text.contains("min_cluster_size 20:"), text);
  }

  @Test
  void refusalsAreUsageErrors(@TempDir Path home) {
    HumpbackSettings s = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", home.toString()), home);
    assertEquals(2, run(s));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--sets ID... or --all"));
    err.reset();
    assertEquals(2, run(s, "--all"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("empty"), err.toString(StandardCharsets.UTF_8));
    err.reset();
    try (Database db = Database.open(s.databaseUrl(), s.databaseBaseDir(), 2, Database.DEFAULT_BUSY_TIMEOUT)) {
      addSet(db, s.storageRoot(), "toy", new float[][] {{1, 2}});
      addSet(db, s.storageRoot(), "other", new float[][] {{1, 2}});
    }
    assertEquals(2, run(s, "--all"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--model"), err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(2, run(s, "--all", "--model", "toy", "--params", "{\"metric\": \"manhattan\"}"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("Invalid metric"), err.toString(StandardCharsets.UTF_8));
  }
}
