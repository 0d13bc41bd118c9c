package org.humpback.pipelines.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.humpback.pipelines.EncodingJobs;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.jobs.AudioFormat;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.pipelines.jobs.EncodingRequests;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LastWindowPolicy;

/**
 * Import files, queue one encoding job per file, run the queue in this process until those jobs
 * end (another worker may take some of them: that is fine), print one line per file. Shared by
 * {@code humpback encode} and {@code humpback demo}.
 */
final class EncodeFlow {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to encode and how; {@code null} leaves a choice to the model and the defaults. */
  record Request(List<Path> inputs, String modelName, Double windowSeconds, Double hopSeconds, String lastWindow,
      Double frameHopSeconds, String runner, String flinkMaster, Integer parallelism, Integer batchSize, Integer threads) {}

  /** One input file's outcome. */
  record FileLine(String file, String status, long windows, int dim, String parquetPath, String error) {}

  private EncodeFlow() {}

  static List<FileLine> run(CliContext ctx, Request req, PrintStream out, PrintStream err) throws IOException {
    ModelRegistry registry = ModelRegistry.create(ctx.db(), ctx.settings());
    ModelRecord model = resolveModel(ctx.db(), registry, req.modelName(), ctx.settings().modelPath());
    // The checks and the signature of POST /processing/jobs: a front end the model cannot take is refused here.
    EncodingRequests.Plan plan = EncodingRequests.plan(model, EncodingJobs.defaults(ctx.settings()), featureJson(req),
        null, null);
    FrontEndConfig fe = plan.frontEnd();
    String signature = plan.signature();
    out.printf("model %s (%s, %d-d), %s, window %.3f s, hop %.3f s, last window %s%s, signature %s%n", model.name(),
        model.modelType(), model.vectorDim(), fe.sampleRate() + " Hz " + fe.features().wireName(),
        fe.windowSeconds(), fe.hopSeconds(), fe.lastWindow().wireName(),
        fe.frameHopSeconds() == null ? "" : String.format(", mean of model frames every %.3f s", fe.frameHopSeconds()),
        signature.substring(0, 12));

    List<FileLine> lines = new ArrayList<>();
    AudioImport importer = new AudioImport(ctx.db(), ctx.settings().storageRoot());
    JobQueue<ProcessingJob> queue = JobQueue.processing(ctx.db().jdbi());
    Map<String, String> jobToFile = new LinkedHashMap<>();
    for (Path[] f : expand(req.inputs())) {
      Path file = f[0];
      try {
        AudioFile a = importer.importFile(file, f[1] == null ? null : f[1].toString()).file();
        ProcessingJob job = EncodingRequests.enqueue(ctx.db(), plan, a.id(), ProcessingJob.DEFAULT_MAX_ATTEMPTS);
        jobToFile.put(job.id(), file.toString());
      } catch (RuntimeException e) {
        lines.add(new FileLine(file.toString(), "FAILED", 0, 0, null, "import: " + e.getMessage()));
      }
    }

    String workerId = "encode-" + ProcessHandle.current().pid();
    JobRunner.Settings settings = JobRunner.Settings.defaults(workerId)
        .withRunner(req.runner() != null ? req.runner() : ctx.settings().runner(),
            req.flinkMaster() != null ? req.flinkMaster() : ctx.settings().flinkMaster(), req.parallelism());
    settings = new JobRunner.Settings(settings.workerId(), settings.runner(), settings.flinkMaster(), settings.parallelism(),
        settings.heartbeatInterval(), req.threads() == null ? 0 : req.threads(), req.batchSize() == null ? 16 : req.batchSize(),
        false);
    ProgressBar bar = new ProgressBar(err, jobToFile);
    JobRunner runner = new JobRunner(ctx.db(), ctx.settings().home(), ctx.settings().storageRoot(), settings, bar);
    while (!allFinal(queue, jobToFile.keySet())) {
      if (runner.runNextBatch(settings.batchJobs()).isEmpty()) {
        try {
          Thread.sleep(200); // our remaining jobs are running elsewhere (another worker)
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    bar.done();
    EmbeddingSetDao sets = ctx.db().dao(EmbeddingSetDao.class);
    for (Map.Entry<String, String> e : jobToFile.entrySet()) {
      ProcessingJob j = queue.find(e.getKey()).orElseThrow();
      switch (j.status()) {
        case COMPLETE -> {
          EmbeddingSet s = sets.findByAudioFileAndSignature(j.audioFileId(), signature).orElse(null);
          lines.add(new FileLine(e.getValue(), j.skipped() ? "SKIPPED" : "OK", s == null || s.rowCount() == null ? 0 : s.rowCount(),
              s == null ? 0 : s.vectorDim(), s == null ? null : s.parquetPath(), null));
        }
        default -> lines.add(new FileLine(e.getValue(), j.status().wireName().toUpperCase(Locale.ROOT), 0, 0, null,
            j.errorMessage()));
      }
    }
    return lines;
  }

  static void print(List<FileLine> lines, PrintStream out) {
    long windows = 0;
    int ok = 0;
    int skipped = 0;
    for (FileLine l : lines) {
      if (l.error() == null) {
        out.printf("%-8s %s%n         %d windows x %d dims -> %s%n", l.status(), l.file(), l.windows(), l.dim(), l.parquetPath());
        windows += l.windows();
        ok++;
        if (l.status().equals("SKIPPED")) {
          skipped++;
        }
      } else {
        out.printf("%-8s %s%n         %s%n", l.status(), l.file(), l.error());
      }
    }
    out.printf("%d files: %d ok (%d already encoded, skipped), %d failed; %d windows%n", lines.size(), ok, skipped,
        lines.size() - ok, windows);
  }

  /** {@link EncodingRequests#model}, after registering a first model on a fresh installation (as {@code models list} does). */
  static ModelRecord resolveModel(Database db, ModelRegistry registry, String name, String fallbackPath) {
    if (name == null && registry.findDefault().isEmpty()) {
      registry.seedDefaultIfEmpty(fallbackPath);
    }
    return EncodingRequests.model(db, name);
  }

  private static String featureJson(Request r) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (r.windowSeconds() != null) {
      m.put("window_seconds", r.windowSeconds());
    }
    if (r.hopSeconds() != null) {
      m.put("hop_seconds", r.hopSeconds());
    }
    if (r.lastWindow() != null) {
      m.put("last_window", LastWindowPolicy.fromWireName(r.lastWindow()).wireName());
    }
    if (r.frameHopSeconds() != null) {
      m.put("frame_hop_seconds", r.frameHopSeconds());
    }
    try {
      return m.isEmpty() ? null : JSON.writeValueAsString(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Files as given, and the audio files under each folder (sorted), with the folder they came from. Audio is told by
   * its first bytes ({@link AudioFormat}), as an upload is: a folder's notes and images are left out whatever they
   * are named, and a file given by name that is no audio fails its import with the reason.
   */
  static List<Path[]> expand(List<Path> inputs) throws IOException {
    List<Path[]> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          for (Path f : s.filter(Files::isRegularFile).filter(EncodeFlow::isAudio).sorted().toList()) {
            out.add(new Path[] {f, p.toAbsolutePath().normalize()});
          }
        }
      } else {
        out.add(new Path[] {p, p.toAbsolutePath().normalize().getParent()});
      }
    }
    return out;
  }

  private static boolean isAudio(Path f) {
    try {
      return AudioFormat.of(f).isPresent();
    } catch (IOException e) {
      return true; // an unreadable file is listed, so its import names why it failed
    }
  }

  private static boolean allFinal(JobQueue<ProcessingJob> queue, Iterable<String> jobIds) {
    for (String id : jobIds) {
      if (!queue.status(id).map(s -> s.isFinal()).orElse(true)) {
        return false;
      }
    }
    return true;
  }

  /** One line per running job on stderr, redrawn in place on a terminal. */
  static final class ProgressBar implements JobRunner.Listener {
    private final PrintStream err;
    private final Map<String, String> names;
    private final boolean tty = System.console() != null;
    private boolean open;

    ProgressBar(PrintStream err, Map<String, String> jobToFile) {
      this.err = err;
      this.names = jobToFile;
    }

    private String name(ProcessingJob job) {
      String f = names.getOrDefault(job.id(), job.audioFileId());
      return Path.of(f).getFileName().toString();
    }

    @Override
    public synchronized void started(ProcessingJob job, long total) {
      draw(job, 0, total, 0);
    }

    @Override
    public synchronized void progress(ProcessingJob job, long done, long total, double wps) {
      draw(job, done, total, wps);
    }

    @Override
    public synchronized void finished(JobRunner.JobReport r) {
      if (open) {
        err.print(tty ? "\r\033[K" : "");
        open = false;
      }
      if (names.containsKey(r.jobId())) {
        err.printf("  %-9s %s (%d windows, %.1f s)%n", r.outcome().name().toLowerCase(Locale.ROOT),
            Path.of(names.get(r.jobId())).getFileName(), r.windows(), r.elapsed().toMillis() / 1000.0);
      }
    }

    private void draw(ProcessingJob job, long done, long total, double wps) {
      if (!tty) {
        return; // no bar in logs and pipes: the per-file lines are enough
      }
      int width = 30;
      double frac = total > 0 ? Math.min(1.0, (double) done / total) : 0;
      int filled = (int) Math.round(frac * width);
      err.printf("\r\033[K  [%s%s] %3.0f%% %s %d/%d windows %.0f w/s", "#".repeat(filled), "-".repeat(width - filled),
          frac * 100, name(job), done, total, wps);
      err.flush();
      open = true;
    }

    void done() {
      if (open && tty) {
        err.print("\r\033[K");
      }
    }
  }
}
