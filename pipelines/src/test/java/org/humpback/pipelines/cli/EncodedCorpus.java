package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.transforms.testing.SharedCorpus;

/**
 * Corpus recordings encoded with the real YAMNet through the product's encode flow ({@link EncodeFlow}), in a registry
 * under a test's home: the starting point of the tests that cluster real embeddings. Each file must encode.
 */
final class EncodedCorpus implements AutoCloseable {

  /** One encoded file: the encode command's line and the embedding set it registered. */
  record Encoded(EncodeFlow.FileLine line, EmbeddingSet set) {}

  final HumpbackSettings settings;
  final CliContext ctx;
  final List<Encoded> files = new ArrayList<>();

  private EncodedCorpus(HumpbackSettings settings, CliContext ctx) {
    this.settings = settings;
    this.ctx = ctx;
  }

  /** Encodes {@code audio} (in order) on the direct runner; skips the test when the corpus is absent. */
  static EncodedCorpus encode(Path home, List<Path> audio) throws IOException {
    Path model = SharedCorpus.yamnet();
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_MODEL_PATH", model.toString(),
        "HUMPBACK_ALLOWED_MODEL_ROOTS", model.getParent().toString()), home);
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    EncodedCorpus c = new EncodedCorpus(settings, new CliContext(settings,
        Database.open(settings.databaseUrl(), settings.databaseBaseDir(), 2, Duration.ofSeconds(10))));
    List<EncodeFlow.FileLine> lines = EncodeFlow.run(c.ctx, new EncodeFlow.Request(audio, null, null, null, null, null,
        "direct", null, null, null, null), log, log);
    assertEquals(audio.size(), lines.size());
    List<EmbeddingSet> sets = c.ctx.db().dao(EmbeddingSetDao.class).list(100_000, 0);
    for (EncodeFlow.FileLine l : lines) {
      assertEquals("OK", l.status(), l.toString());
      c.files.add(new Encoded(l, sets.stream().filter(s -> s.parquetPath().equals(l.parquetPath())).findFirst()
          .orElseThrow()));
    }
    return c;
  }

  List<String> setIds() {
    return files.stream().map(e -> e.set().id()).toList();
  }

  long windows() {
    return files.stream().mapToLong(e -> e.set().rowCount()).sum();
  }

  /** A clustering runner over this registry, with Beam's checks on. */
  ClusteringJobRunner clusteringRunner(String workerId) {
    return new ClusteringJobRunner(ctx.db(), settings.storageRoot(),
        JobRunner.Settings.defaults(workerId).withEnforceChecks(true));
  }

  @Override
  public void close() {
    ctx.close();
  }
}
