package org.humpback.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.pipelines.cluster.ClusteringJobs;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.transforms.cluster.ClusterMetrics;
import org.humpback.transforms.cluster.GaussianBlobs;

/**
 * Prints what a whole clustering job costs next to its clustering step: Gaussian blobs written as embedding Parquet
 * files and registered as embedding sets in a scratch registry, then one job through the queue (direct runner,
 * production settings). Figures: total job time, the clustering step (PCA/UMAP/HDBSCAN/metrics, as the job reports
 * it), the rest (Parquet read, gather, file writing, registry inserts), and the ARI against the blobs.
 *
 * <pre>
 *   ClusteringJobBenchmark [--n 20000] [--dims 1280] [--files 20] [--params '{"pca_components": 50}']
 * </pre>
 */
public final class ClusteringJobBenchmark {

  private ClusteringJobBenchmark() {}

  public static void main(String[] args) throws IOException {
    int n = 20_000;
    int dims = 1280;
    int files = 20;
    String params = "{\"pca_components\": 50}";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i]);
        case "--dims" -> dims = Integer.parseInt(args[++i]);
        case "--files" -> files = Integer.parseInt(args[++i]);
        case "--params" -> params = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("clustering-job-bench");
    GaussianBlobs.Data data = GaussianBlobs.generate(n, dims, 10, 1.0, 1.0, 0.02, 20240601L + n);
    try (Database db = Database.open(dir.resolve("humpback.db").toString())) {
      List<String> ids = new ArrayList<>();
      int per = (n + files - 1) / files;
      for (int f = 0; f < files && f * per < n; f++) {
        ids.add(register(db, dir, Arrays.copyOfRange(data.points(), f * per, Math.min(n, (f + 1) * per))));
      }
      ClusteringJobs.submit(db, ids, params);
      ClusteringJobRunner runner = new ClusteringJobRunner(db, dir, JobRunner.Settings.defaults("bench"));
      long t0 = System.nanoTime();
      ClusteringJobRunner.Report r = runner.runNext().orElseThrow();
      double total = (System.nanoTime() - t0) / 1e9;
      if (r.outcome() != ClusteringJobRunner.Outcome.COMPLETED) {
        System.err.println("job " + r.outcome() + ": " + r.error());
        System.exit(1);
      }
      double step = r.metrics().get("seconds").asDouble();
      int[] pred = new int[n];
      // Windows are numbered set by set in selection order, as the blobs were split.
      var clusterLabel = new java.util.HashMap<String, Integer>();
      r.clusters().forEach(c -> clusterLabel.put(c.id(), c.clusterLabel()));
      var assignments = db.dao(org.humpback.registry.dao.ClusterAssignmentDao.class).listByJob(r.jobId(), n + 1, 0);
      var setIndex = new java.util.HashMap<String, Integer>();
      for (int i = 0; i < ids.size(); i++) {
        setIndex.put(ids.get(i), i);
      }
      for (var a : assignments) {
        pred[setIndex.get(a.embeddingSetId()) * per + a.embeddingRowIndex()] = clusterLabel.get(a.clusterId());
      }
      System.out.printf(Locale.ROOT, "clustering job, %d x %d in %d files, params %s%n", n, dims, ids.size(), params);
      System.out.printf(Locale.ROOT, "  total %.1f s = clustering step %.1f s + pipeline/files/registry %.1f s%n", total,
          step, total - step);
      System.out.printf(Locale.ROOT, "  clusters %d, noise %.1f %%, ARI vs blobs %.3f%n", r.metrics().get("n_clusters").asInt(),
          100 * r.metrics().get("noise_fraction").asDouble(), ClusterMetrics.adjustedRandIndex(data.labels(), pred));
    }
  }

  private static String register(Database db, Path dir, float[][] v) {
    String audio = Ids.newId();
    String sha = (audio.replace("-", "") + "0".repeat(64)).substring(0, 64);
    db.dao(AudioFileDao.class).insert(new AudioFile(audio, audio + ".wav", "bench", sha, null, null, null, null,
        Timestamps.now()));
    Path file = Path.of(EmbeddingParquet.path(dir.resolve("embeddings").toString(), "blobs", audio, "s".repeat(64)));
    List<EmbeddingParquet.Row> rows = new ArrayList<>(v.length);
    for (int i = 0; i < v.length; i++) {
      rows.add(new EmbeddingParquet.Row(i, i, i + 1, v[i]));
    }
    EmbeddingParquet.write(file.toString(), new EmbeddingParquet.Metadata("blobs", "blobs", "s".repeat(64), "{}", sha, v[0].length,
        "bench"), rows.iterator());
    String id = Ids.newId();
    db.dao(EmbeddingSetDao.class).insert(new EmbeddingSet(id, audio, "s".repeat(64), "blobs", 1.0, 16000, v[0].length,
        file.toString(), (long) v.length, Timestamps.now()));
    return id;
  }
}
