package org.humpback.pipelines.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.pipelines.cluster.ClusteringJobs;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Json;

/**
 * {@code humpback cluster (--sets ID... | --all [--model NAME]) [--params JSON] [--runner direct|flink] [--no-wait]}:
 * queues a clustering job through the job table, runs it in this process (unless {@code --no-wait}, which leaves it
 * to a worker), and prints the cluster sizes and metrics.
 */
public final class ClusterCommand {

  static final String USAGE = """
      usage: humpback cluster (--sets ID [ID ...] | --all [--model NAME]) [--params JSON] [--runner direct|flink]
                              [--flink-master M] [--parallelism N] [--no-wait]

        --sets ID...   embedding set ids to cluster together (same model and vector_dim)
        --all          every embedding set in the registry (with several models, pick one with --model)
        --params JSON  clustering parameters, e.g. '{"min_cluster_size": [5, 10], "label_field": "tag_data.label"}'
                       (use_umap, umap_n_components, umap_n_neighbors, umap_min_dist, min_cluster_size, min_samples,
                       metric, random_seed, pca_components, label_field)
        --no-wait      only queue the job; a running worker picks it up
      %s
      """.formatted(RunnerFlags.USAGE);

  private ClusterCommand() {}

  /** Parsed command line. */
  record Args(List<String> sets, boolean all, String model, String params, Map<String, String> runnerFlags,
              boolean noWait) {}

  public static int run(String[] args) {
    return run(args, HumpbackSettings.fromEnvironment(), System.out, System.err);
  }

  static int run(String[] argv, HumpbackSettings settings, PrintStream out, PrintStream err) {
    Args a;
    try {
      a = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("humpback cluster: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (a == null) {
      out.print(USAGE);
      return 0;
    }
    RunnerFlags rf;
    try {
      rf = RunnerFlags.of(a.runnerFlags()::get, settings);
    } catch (IllegalArgumentException e) {
      err.println("humpback cluster: " + e.getMessage());
      return 2;
    }
    try (Database db = Database.open(settings.databaseUrl(), settings.databaseBaseDir(), Database.DEFAULT_POOL_SIZE,
        Database.DEFAULT_BUSY_TIMEOUT)) {
      ClusteringJob job;
      try {
        List<String> ids = a.all() ? allSets(db, a.model()) : a.sets();
        job = ClusteringJobs.submit(db, ids, a.params());
      } catch (IllegalArgumentException | Refusal e) {
        err.println("humpback cluster: " + e.getMessage());
        return 2;
      }
      out.println("Queued clustering job " + job.id() + " over " + job.embeddingSetIdList().size() + " embedding set(s)");
      if (a.noWait()) {
        return 0;
      }
      JobRunner.Settings rs = JobRunner.Settings.defaults("cluster-cli-" + ProcessHandle.current().pid())
          .withRunner(rf.runner(), rf.flinkMaster(), rf.parallelism());
      ClusteringJob done = runUntilFinished(db, new ClusteringJobRunner(db, settings.storageRoot(), rs), job.id());
      return print(db, done, out, err);
    }
  }

  /**
   * Clusters the embedding sets stored at {@code parquetPaths} (what an encode run just wrote; nulls are skipped) with
   * the default parameters through the job table, and prints the result. Used at the end of {@code humpback demo}.
   *
   * @return 0 when the job completed (or there was nothing to cluster), 1 otherwise
   */
  public static int clusterEncoded(Database db, HumpbackSettings settings, List<String> parquetPaths,
                                   RunnerFlags runner, PrintStream out, PrintStream err) {
    java.util.Set<String> wanted = new java.util.HashSet<>();
    for (String p : parquetPaths) {
      if (p != null) {
        wanted.add(java.nio.file.Path.of(p).toAbsolutePath().normalize().toString());
      }
    }
    List<String> ids = new ArrayList<>();
    EmbeddingSetDao dao = db.dao(EmbeddingSetDao.class);
    for (int offset = 0; ; offset += 1000) {
      List<EmbeddingSet> page = dao.list(1000, offset);
      for (EmbeddingSet s : page) {
        if (wanted.contains(java.nio.file.Path.of(s.parquetPath()).toAbsolutePath().normalize().toString())) {
          ids.add(s.id());
        }
      }
      if (page.size() < 1000) {
        break;
      }
    }
    if (ids.isEmpty()) {
      out.println("Nothing to cluster (no embedding sets were written)");
      return 0;
    }
    java.util.Collections.reverse(ids);
    try {
      ClusteringJob job = ClusteringJobs.submit(db, ids, null);
      out.println("Clustering " + ids.size() + " embedding set(s) with the default parameters (job " + job.id() + ")");
      JobRunner.Settings rs = JobRunner.Settings.defaults("demo-" + ProcessHandle.current().pid())
          .withRunner(runner.runner(), runner.flinkMaster(), runner.parallelism());
      return print(db, runUntilFinished(db, new ClusteringJobRunner(db, settings.storageRoot(), rs), job.id()), out, err);
    } catch (IllegalArgumentException | Refusal e) {
      err.println("Clustering refused: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Runs queued clustering jobs in this process until {@code jobId} is finished (an older queued job runs first, as
   * the queue is first-in first-out; a job another worker claimed is waited for).
   */
  public static ClusteringJob runUntilFinished(Database db, ClusteringJobRunner runner, String jobId) {
    ClusteringJobDao dao = db.dao(ClusteringJobDao.class);
    while (true) {
      ClusteringJob j = dao.findById(jobId).orElseThrow(() -> new IllegalStateException("Clustering job " + jobId
          + " disappeared"));
      if (j.status().isFinal()) {
        return j;
      }
      if (runner.runNext().isEmpty()) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return j;
        }
      }
    }
  }

  /** Prints the outcome; returns the exit code (0 complete, 1 otherwise). */
  public static int print(Database db, ClusteringJob job, PrintStream out, PrintStream err) {
    String seconds = job.startedAt() != null && job.finishedAt() != null
        ? String.format(Locale.ROOT, " in %.1f s", Duration.between(job.startedAt(), job.finishedAt()).toMillis() / 1000.0)
        : "";
    if (job.status() != org.humpback.registry.dao.JobStatus.COMPLETE) {
      err.println("Clustering job " + job.id() + " " + job.status().wireName() + seconds
          + (job.errorMessage() == null ? "" : ": " + job.errorMessage()));
      return 1;
    }
    out.println("Clustering job " + job.id() + " complete" + seconds);
    List<Cluster> clusters = db.dao(ClusterDao.class).listByJob(job.id());
    out.print(summary(Json.read(job.metrics()), clusters));
    return 0;
  }

  /** Human-readable cluster sizes and metrics. */
  public static String summary(JsonNode m, List<Cluster> clusters) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "  windows %d, clusters %d, noise %d (%.1f %%), silhouette %s%n",
        m.path("n_windows").asLong(), m.path("n_clusters").asInt(), m.path("n_noise").asLong(),
        100 * m.path("noise_fraction").asDouble(), number(m.get("silhouette"))));
    s.append("  cluster sizes:");
    for (Cluster c : clusters) {
      s.append(' ').append(c.clusterLabel() < 0 ? "noise" : Integer.toString(c.clusterLabel())).append('=')
          .append(c.size());
    }
    s.append(System.lineSeparator());
    if (m.hasNonNull("label_field")) {
      s.append(String.format(Locale.ROOT, "  vs %s (%d labelled windows, %d values): ARI %s, NMI %s, homogeneity %s, "
              + "completeness %s%n", m.get("label_field").asText(), m.path("n_labelled").asInt(),
          m.path("n_label_values").asInt(), number(m.get("ari")), number(m.get("nmi")), number(m.get("homogeneity")),
          number(m.get("completeness"))));
    }
    if (m.has("sweep")) {
      s.append("  sweep (the first value's clusters are stored):").append(System.lineSeparator());
      for (JsonNode r : m.get("sweep")) {
        s.append(String.format(Locale.ROOT, "    min_cluster_size %d: clusters %d, noise %.1f %%, silhouette %s%s%n",
            r.path("min_cluster_size").asInt(), r.path("n_clusters").asInt(), 100 * r.path("noise_fraction").asDouble(),
            number(r.get("silhouette")), r.has("ari") ? ", ARI " + number(r.get("ari")) + ", NMI " + number(r.get("nmi"))
                : ""));
      }
    }
    if (m.has("notes")) {
      for (JsonNode n : m.get("notes")) {
        s.append("  note: ").append(n.asText()).append(System.lineSeparator());
      }
    }
    return s.toString();
  }

  private static String number(JsonNode n) {
    return n == null || n.isNull() ? "n/a" : String.format(Locale.ROOT, "%.3f", n.asDouble());
  }

  /** Every embedding set, or those of {@code model}; several models without --model is an error naming them. */
  static List<String> allSets(Database db, String model) {
    EmbeddingSetDao dao = db.dao(EmbeddingSetDao.class);
    List<EmbeddingSet> sets = new ArrayList<>();
    for (int offset = 0; ; offset += 1000) {
      List<EmbeddingSet> page = dao.list(1000, offset);
      sets.addAll(page);
      if (page.size() < 1000) {
        break;
      }
    }
    if (model != null) {
      sets.removeIf(s -> !s.modelVersion().equals(model));
    } else {
      Map<String, Long> models = new TreeMap<>(sets.stream()
          .collect(Collectors.groupingBy(EmbeddingSet::modelVersion, Collectors.counting())));
      if (models.size() > 1) {
        throw new IllegalArgumentException("--all: the registry holds embedding sets of several models " + models
            + "; choose one with --model NAME");
      }
    }
    // Oldest first, so window order follows import order.
    java.util.Collections.reverse(sets);
    return sets.stream().map(EmbeddingSet::id).toList();
  }

  static Args parse(String[] argv) {
    List<String> sets = new ArrayList<>();
    boolean all = false;
    boolean noWait = false;
    String model = null;
    String params = null;
    Map<String, String> runnerFlags = new java.util.HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      switch (a) {
        case "-h", "--help" -> {
          return null;
        }
        case "--sets" -> {
          while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
            for (String id : argv[++i].split(",")) {
              if (!id.isBlank()) {
                sets.add(id.trim());
              }
            }
          }
          if (sets.isEmpty()) {
            throw new IllegalArgumentException("--sets needs at least one embedding set id");
          }
        }
        case "--all" -> all = true;
        case "--no-wait" -> noWait = true;
        case "--model" -> model = value(argv, ++i, a);
        case "--params" -> params = value(argv, ++i, a);
        case "--runner", "--flink-master", "--parallelism" -> runnerFlags.put(a.substring(2), value(argv, ++i, a));
        default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    if (all == !sets.isEmpty()) {
      throw new IllegalArgumentException("give either --sets ID... or --all");
    }
    if (model != null && !all) {
      throw new IllegalArgumentException("--model only applies with --all");
    }
    return new Args(sets, all, model, params, runnerFlags, noWait);
  }

  private static String value(String[] argv, int i, String flag) {
    if (i >= argv.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return argv[i];
  }
}
