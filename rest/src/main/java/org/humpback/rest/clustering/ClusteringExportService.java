package org.humpback.rest.clustering;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.humpback.pipelines.jobs.Refusal;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.db.Database;
import org.humpback.rest.Json;
import org.humpback.rest.Requests;

/**
 * A complete clustering job's windows for people and tools: {@code report.csv} (one row per window with its cluster,
 * file and UMAP position), {@code raven.txt} (a Raven selection table, so the windows open as selections over the
 * recordings in Raven Pro) and {@code scatter} (the points of the 2-D projection, column by column, for the web app).
 * POSTed a selection ({@code {"windows": {set id: [row, …]}}}), the two exports list only those windows.
 */
public final class ClusteringExportService implements HttpService {

  /** Raven's selection-table columns, tab-separated, in this order. */
  static final String RAVEN_HEADER = String.join("\t", "Selection", "View", "Channel", "Begin Time (s)",
      "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)", "Cluster", "File");

  private final ClusteringJobDao clusteringJobDao;
  private final ClusterDao clusterDao;
  private final ClusterAssignmentDao clusterAssignmentDao;
  private final EmbeddingSetDao embeddingSetDao;
  private final AudioFileDao audioFileDao;

  public ClusteringExportService(Database db) {
    this.clusteringJobDao = db.dao(ClusteringJobDao.class);
    this.clusterDao = db.dao(ClusterDao.class);
    this.clusterAssignmentDao = db.dao(ClusterAssignmentDao.class);
    this.embeddingSetDao = db.dao(EmbeddingSetDao.class);
    this.audioFileDao = db.dao(AudioFileDao.class);
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/jobs/{id}/report.csv", (req, res) -> reportCsv(res, windows(Requests.pathId(req)), ""))
        .post("/jobs/{id}/report.csv", (req, res) -> reportCsv(res, selected(req), "-selection"))
        .get("/jobs/{id}/raven.txt", (req, res) -> ravenTable(res, windows(Requests.pathId(req)), ""))
        .post("/jobs/{id}/raven.txt", (req, res) -> ravenTable(res, selected(req), "-selection"))
        .get("/jobs/{id}/scatter", this::scatter);
  }

  /** A selection of a job's windows (the web app's lasso or box): embedding set id to row indices. */
  record SelectionRequest(Map<String, List<Integer>> windows) {}

  /** The job's windows that the request body selects; 422 naming the first windows that are not the job's. */
  private Windows selected(ServerRequest req) {
    SelectionRequest body = Json.read(req, SelectionRequest.class);
    if (body.windows() == null || body.windows().isEmpty()) {
      throw Refusal.invalid("field 'windows': required, an object of embedding set id to row indices");
    }
    Windows all = windows(Requests.pathId(req));
    Map<String, Set<Integer>> wanted = new HashMap<>();
    int count = 0;
    for (Map.Entry<String, List<Integer>> e : body.windows().entrySet()) {
      Set<Integer> rows = wanted.computeIfAbsent(e.getKey(), id -> new HashSet<>());
      for (Integer row : e.getValue()) {
        if (rows.add(row)) {
          count++;
        }
      }
    }
    List<Window> out = new ArrayList<>();
    for (Window w : all.all()) {
      Set<Integer> rows = wanted.get(w.set().id());
      if (rows != null && rows.remove(w.a().embeddingRowIndex())) {
        out.add(w);
      }
    }
    if (out.size() != count) {
      String missing = wanted.entrySet().stream().filter(e -> !e.getValue().isEmpty())
          .flatMap(e -> e.getValue().stream().sorted().map(row -> e.getKey() + " row " + row)).limit(3)
          .collect(Collectors.joining(", "));
      throw Refusal.invalid("field 'windows': " + (count - out.size()) + " of the " + count
          + " windows are not windows of clustering job " + all.job().id() + " (" + missing
          + (count - out.size() > 3 ? ", …" : "") + ")");
    }
    return new Windows(all.job(), out);
  }

  /** One window of the job with everything the exports name. */
  record Window(int label, EmbeddingSet set, AudioFile file, ClusterAssignment a) {}

  private void reportCsv(ServerResponse res, Windows w, String nameSuffix) {
    StringBuilder out = new StringBuilder("cluster_label,embedding_set_id,row_index,audio_file_id,filename,"
        + "folder_path,start_s,end_s,umap_x,umap_y\n");
    for (Window x : w.byFileAndTime()) {
      out.append(x.label()).append(',').append(x.set().id()).append(',').append(x.a().embeddingRowIndex())
          .append(',').append(x.file().id()).append(',').append(csv(x.file().filename())).append(',')
          .append(csv(x.file().folderPath())).append(',').append(num(x.a().startS())).append(',')
          .append(num(x.a().endS())).append(',').append(num(x.a().umapX())).append(',').append(num(x.a().umapY()))
          .append('\n');
    }
    sendText(res, "text/csv; charset=utf-8", "clustering-" + w.job().id() + nameSuffix + ".csv", out);
  }

  private void ravenTable(ServerResponse res, Windows w, String nameSuffix) {
    StringBuilder out = new StringBuilder(RAVEN_HEADER).append('\n');
    int selection = 1;
    for (Window x : w.byFileAndTime()) {
      // The band the model heard: up to Nyquist of the rate the window was resampled to.
      out.append(selection++).append("\tSpectrogram 1\t1\t").append(num(x.a().startS())).append('\t')
          .append(num(x.a().endS())).append("\t0\t").append(num(x.set().targetSampleRate() / 2.0)).append('\t')
          .append(x.label()).append('\t').append(tsv(x.file().filename())).append('\n');
    }
    sendText(res, "text/plain; charset=utf-8", "clustering-" + w.job().id() + nameSuffix
        + ".selections.txt", out);
  }

  /** Parallel arrays, one entry per assignment (noise first, as the clusters are listed); sets and files by index. */
  record Scatter(String jobId, int count, boolean hasXy, float[] x, float[] y, int[] cluster, int[] set, int[] row,
      int[] file, double[] start, double[] end, List<SetRef> sets, List<FileRef> files) {}

  record SetRef(String id, String audioFileId, int file) {}

  record FileRef(String id, String filename, String folderPath) {}

  private void scatter(ServerRequest req, ServerResponse res) {
    Windows w = windows(Requests.pathId(req));
    int n = w.all().size();
    Map<String, Integer> setIndex = new LinkedHashMap<>();
    Map<String, Integer> fileIndex = new LinkedHashMap<>();
    List<SetRef> sets = new ArrayList<>();
    List<FileRef> files = new ArrayList<>();
    float[] x = new float[n];
    float[] y = new float[n];
    int[] cluster = new int[n];
    int[] set = new int[n];
    int[] row = new int[n];
    int[] file = new int[n];
    double[] start = new double[n];
    double[] end = new double[n];
    boolean hasXy = n > 0;
    for (int i = 0; i < n; i++) {
      Window win = w.all().get(i);
      int fi = fileIndex.computeIfAbsent(win.file().id(), id -> {
        files.add(new FileRef(id, win.file().filename(), win.file().folderPath()));
        return files.size() - 1;
      });
      set[i] = setIndex.computeIfAbsent(win.set().id(), id -> {
        sets.add(new SetRef(id, win.file().id(), fi));
        return sets.size() - 1;
      });
      ClusterAssignment a = win.a();
      hasXy &= a.umapX() != null && a.umapY() != null;
      x[i] = a.umapX() == null ? 0f : a.umapX().floatValue();
      y[i] = a.umapY() == null ? 0f : a.umapY().floatValue();
      cluster[i] = win.label();
      row[i] = a.embeddingRowIndex();
      file[i] = fi;
      start[i] = a.startS() == null ? 0 : a.startS();
      end[i] = a.endS() == null ? start[i] : a.endS();
    }
    Json.ok(res, new Scatter(w.job().id(), n, hasXy, hasXy ? x : null, hasXy ? y : null, cluster, set, row, file,
        start, end, sets, files));
  }

  record Windows(ClusteringJob job, List<Window> all) {
    List<Window> byFileAndTime() {
      List<Window> sorted = new ArrayList<>(all);
      sorted.sort(Comparator.comparing((Window w) -> w.file().filename() == null ? "" : w.file().filename())
          .thenComparing(w -> w.file().id()).thenComparingInt(w -> w.a().embeddingRowIndex()));
      return sorted;
    }
  }

  /** The job's windows, in the clusters' order; 404 for an unknown job, 409 while it has no results. */
  private Windows windows(String jobId) {
    ClusteringJob job = clusteringJobDao.findById(jobId)
        .orElseThrow(() -> Refusal.notFound("Clustering job", jobId));
    if (job.status() != JobStatus.COMPLETE) {
      throw Refusal.conflict("Clustering job " + jobId + " is " + job.status().wireName()
          + ": its windows are listed once it is complete");
    }
    Map<String, Integer> labels = new HashMap<>();
    for (Cluster c : clusterDao.listByJob(jobId)) {
      labels.put(c.id(), c.clusterLabel());
    }
    Map<String, EmbeddingSet> sets = new HashMap<>();
    for (EmbeddingSet s : embeddingSetDao.listByIds(job.embeddingSetIdList())) {
      sets.put(s.id(), s);
    }
    Map<String, AudioFile> files = new HashMap<>();
    List<Window> out = new ArrayList<>();
    // One query for the whole job (the DAO pages; a job's windows are wanted all at once here).
    for (ClusterAssignment a : clusterAssignmentDao.listByJob(jobId, Integer.MAX_VALUE, 0)) {
      EmbeddingSet s = sets.get(a.embeddingSetId());
      if (s == null) {
        throw Refusal.conflict("Clustering job " + jobId + " refers to embedding set " + a.embeddingSetId()
            + ", which no longer exists");
      }
      AudioFile f = files.computeIfAbsent(s.audioFileId(), id -> audioFileDao.findById(id).orElse(
          new AudioFile(id, null, null, null, null, null, null, null, null)));
      out.add(new Window(labels.getOrDefault(a.clusterId(), -1), s, f, a));
    }
    return new Windows(job, out);
  }

  private static void sendText(ServerResponse res, String type, String filename, CharSequence body) {
    res.header(HeaderNames.CONTENT_TYPE, type);
    res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"");
    res.send(body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String num(Double v) {
    return v == null ? "" : num(v.doubleValue());
  }

  private static String num(double v) {
    // Plain decimal (no exponent), at most 6 decimals: what spreadsheets and Raven read.
    String s = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String tsv(String s) {
    return s == null ? "" : s.replaceAll("[\t\r\n]", " ");
  }
}
