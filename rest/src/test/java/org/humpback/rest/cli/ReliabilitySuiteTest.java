package org.humpback.rest.cli;

import static org.humpback.rest.cli.ServeClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.Json;
import org.humpback.rest.TestAudio;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's reliability suite: {@code serve} child processes ({@link ChildServe}) attacked as faults and users would,
 * with the invariants checked after each case. Prints {@code case | runs | passed | invariant violations}.
 *
 * <p>{@code mvn verify} runs the short form; the long form is {@code mvn -B -pl rest -am verify -Preliability}
 * (system property {@code humpback.reliability=long}): ≥ 20 kills, every bad-input kind, 3 workers × 200 jobs.
 */
class ReliabilitySuiteTest {

  private static final boolean LONG = "long".equals(System.getProperty("humpback.reliability"));
  private static final String MODEL = "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", \"sample_rate\": 16000, "
      + "\"window_seconds\": 0.5, \"is_default\": true}";

  @TempDir Path home;
  private final Map<String, int[]> table = new LinkedHashMap<>(); // case -> runs, passed, violations
  private final List<String> details = new ArrayList<>();

  @Test
  void suite() throws Exception {
    Path models = Files.createDirectories(home.resolve("models"));
    TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
    crashFaults(LONG ? 20 : 2);
    storageFaults();
    badInputs();
    concurrencyAndLoad(LONG ? 200 : 24, LONG ? 20_000 : 2_000);

    StringBuilder out = new StringBuilder("\nreliability suite (" + (LONG ? "long" : "short") + " form)\n"
        + "| case | runs | passed | invariant violations |\n|---|---|---|---|\n");
    table.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1])
        .append(" | ").append(v[2]).append(" |\n"));
    details.forEach(d -> out.append("  ").append(d).append('\n'));
    System.out.println(out);
    int failed = table.values().stream().mapToInt(v -> v[0] - v[1] + v[2]).sum();
    assertEquals(0, failed, out::toString);
  }

  /**
   * The tiny model (0.5-s windows at 16 kHz, 8-d), copied in after the server started (a server that starts over an
   * empty registry registers the models folder's first model as its default) and registered over the API.
   */
  private void registerTiny(Path h, ServeClient api) throws IOException {
    Files.copy(home.resolve("models/tiny.tflite"), Files.createDirectories(h.resolve("models")).resolve("tiny.tflite"));
    json(api.send("POST", "/admin/models", MODEL), 201);
  }

  private void record(String name, boolean passed, List<String> violations) {
    int[] row = table.computeIfAbsent(name, k -> new int[3]);
    row[0]++;
    row[1] += passed && violations.isEmpty() ? 1 : 0;
    row[2] += violations.size();
    violations.forEach(v -> details.add(name + ": " + v));
  }

  // ---- crash faults ------------------------------------------------------------------------------------------------

  /**
   * SIGKILL of serve at a random moment while it encodes (every third time while a cancel is being handled); a
   * restart finishes the work; the invariants are checked after every run.
   */
  private void crashFaults(int kills) throws Exception {
    Random random = new Random(15);
    Path h = Files.createDirectories(home.resolve("crash"));
    try (ChildServe first = ChildServe.start(h)) {
      registerTiny(h, first.client());
    }
    for (int k = 0; k < kills; k++) {
      List<String> jobs = new ArrayList<>();
      ChildServe serve = ChildServe.start(h);
      ServeClient api = serve.client();
      for (int i = 0; i < 3; i++) {
        String id = api.uploadId(TestAudio.wav(20 + random.nextInt(40), 16_000, 100 + 1000 * random.nextDouble()));
        jobs.add(json(api.send("POST", "/processing/jobs", "{\"audio_file_id\": \"" + id + "\"}"), 201).get("id").asText());
      }
      if (k % 3 == 1) {
        api.send("POST", "/processing/jobs/" + jobs.get(jobs.size() - 1) + "/cancel", null); // a kill during a cancel
      }
      Thread.sleep(random.nextInt(LONG ? 3000 : 1500));
      serve.kill();
      requeueJobsOfTheDeadServer(h);
      List<String> v = new ArrayList<>();
      try (ChildServe restarted = ChildServe.start(h)) {
        for (String id : jobs) {
          JsonNode j = restarted.client().awaitFinal("/processing/jobs/" + id, Duration.ofMinutes(3));
          String status = j.get("status").asText();
          if (!status.equals("complete") && !status.equals("canceled")) {
            v.add("job " + id + " ended " + j);
          }
        }
      }
      v.addAll(invariants(h));
      record("crash: SIGKILL of serve mid-encode, restart", true, v);
    }
  }

  /** The test killed that process: its jobs are stale at once (instead of after the 30-s heartbeat threshold). */
  private static void requeueJobsOfTheDeadServer(Path h) {
    try (Database db = Database.open("jdbc:sqlite:" + h.resolve("humpback.db"))) {
      JobQueue.processing(db.jdbi()).requeueStale(Duration.ofMillis(1));
      JobQueue.clustering(db.jdbi()).requeueStale(Duration.ofMillis(1));
    }
  }

  /**
   * One readable Parquet per (file, signature) with its set row, 1:1; no temp, part or run scratch left; no job
   * running; every finished job has its attempts recorded.
   */
  private static List<String> invariants(Path h) throws IOException {
    List<String> v = new ArrayList<>();
    Path data = h.resolve("data");
    try (Database db = Database.open("jdbc:sqlite:" + h.resolve("humpback.db"))) {
      Set<Path> registered = new HashSet<>();
      for (EmbeddingSet s : db.dao(EmbeddingSetDao.class).list(100_000, 0)) {
        Path p = data.resolve(s.parquetPath()).normalize();
        if (!registered.add(p)) {
          v.add("two sets name " + p.getFileName());
        }
        EmbeddingParquet.problem(p.toString(), s.encodingSignature()).ifPresent(why -> v.add("set " + s.id() + ": " + why));
      }
      for (Path f : files(data.resolve("embeddings"))) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp") || f.toString().contains(".parts")) {
          v.add("scratch left: " + data.relativize(f));
        } else if (name.endsWith(".parquet") && !registered.contains(f.normalize())) {
          v.add("Parquet without a set row: " + data.relativize(f));
        }
      }
      files(data.resolve("tmp")).forEach(f -> v.add("run scratch left: " + data.relativize(f)));
      ProcessingJobDao jobs = db.dao(ProcessingJobDao.class);
      for (ProcessingJob j : jobs.list(100_000, 0)) {
        if (j.status() == JobStatus.RUNNING) {
          v.add("job " + j.id() + " running after the drain");
        }
        if (j.status() != JobStatus.QUEUED && j.status() != JobStatus.CANCELED && j.attempts() < 1) {
          v.add("job " + j.id() + " " + j.status() + " with no attempt recorded");
        }
      }
    }
    return v;
  }

  private static List<Path> files(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  // ---- storage faults ----------------------------------------------------------------------------------------------

  /** A finished set's Parquet truncated, then deleted: reported (409 naming it), and a re-post repairs it. */
  private void storageFaults() throws Exception {
    Path h = Files.createDirectories(home.resolve("storage"));
    try (ChildServe serve = ChildServe.start(h)) {
      ServeClient api = serve.client();
      registerTiny(h, api);
      String audio = api.uploadId(TestAudio.wav(3, 16_000, 440));
      String body = "{\"audio_file_id\": \"" + audio + "\"}";
      api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs", body), 201).get("id").asText());
      JsonNode set = json(api.send("GET", "/processing/embedding-sets", null), 200).get(0);
      Path parquet = h.resolve("data").resolve(set.get("parquet_path").asText());
      for (String fault : List.of("truncated", "deleted")) {
        List<String> v = new ArrayList<>();
        if (fault.equals("truncated")) {
          Files.write(parquet, Arrays.copyOf(Files.readAllBytes(parquet), 100));
        } else {
          Files.delete(parquet);
        }
        HttpResponse<String> r = api.send("GET", "/processing/embedding-sets/" + set.get("id").asText(), null);
        if (r.statusCode() != 409 || r.body().contains(h.toString())) {
          v.add(fault + ": GET set answered " + r.statusCode() + " " + r.body());
        }
        JsonNode again = api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs", body), 201)
            .get("id").asText());
        if (!again.get("status").asText().equals("complete") || again.get("skipped").asBoolean()) {
          v.add(fault + ": re-post did not re-encode: " + again);
        }
        v.addAll(invariants(h));
        record("storage: Parquet " + fault + " under a finished set", true, v);
      }
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root || !Files.isExecutable(Path.of("/usr/bin/unshare"))) {
      details.add("storage: full and read-only file systems skipped (need root and unshare -m): see StorageFaultTest");
    } else {
      details.add("storage: full file system and read-only storage root: StorageFaultTest (tmpfs mounts in unshare -m)");
    }
  }

  // ---- bad inputs --------------------------------------------------------------------------------------------------

  /** A generated corpus of bad inputs: each gets a 4xx JSON detail or a job that ends with a message; no path or trace leaks. */
  private void badInputs() throws Exception {
    Path h = Files.createDirectories(home.resolve("bad"));
    try (ChildServe serve = ChildServe.start(h)) {
      ServeClient api = serve.client();
      registerTiny(h, api);
      Files.write(h.resolve("models/corrupt.tflite"), randomBytes(5000, 3));
      TinyModels.writeTfLite(h.resolve("models/other.tflite"), TinyModels.dense(8000, 16, 9), true);
      String good = api.uploadId(TestAudio.wav(2, 16_000, 440));
      String set = null;
      JsonNode done = api.awaitFinal("/processing/jobs/" + json(api.send("POST", "/processing/jobs",
          "{\"audio_file_id\": \"" + good + "\"}"), 201).get("id").asText());
      if (done.get("status").asText().equals("complete")) {
        set = json(api.send("GET", "/processing/embedding-sets", null), 200).get(0).get("id").asText();
      }
      Map<String, Supplier<List<String>>> kinds = new LinkedHashMap<>();
      // Audio: each upload is refused with a detail, or accepted and its job ends with a state and a message.
      audio(kinds, api, h, "zero-byte file", "z.wav", new byte[0]);
      audio(kinds, api, h, "truncated header", "t.wav", Arrays.copyOf(TestAudio.wav(1, 16_000, 300), 30));
      audio(kinds, api, h, "truncated samples", "t2.wav", Arrays.copyOf(TestAudio.wav(2, 16_000, 300), 20_000));
      audio(kinds, api, h, "random bytes .wav", "r.wav", randomBytes(50_000, 1));
      audio(kinds, api, h, "random bytes .mp3", "r.mp3", randomBytes(50_000, 2));
      audio(kinds, api, h, "random bytes .flac", "r.flac", randomBytes(50_000, 4));
      audio(kinds, api, h, "text named .ogg", "t.ogg", "this is not a recording".getBytes());
      audio(kinds, api, h, "header claims more data", "lie1.wav", lying(TestAudio.wav(1, 16_000, 300), 40, 1 << 30));
      audio(kinds, api, h, "header claims 0 channels", "lie2.wav", lying(TestAudio.wav(1, 16_000, 300), 22, 0));
      audio(kinds, api, h, "header claims rate 0", "lie3.wav", lyingInt(TestAudio.wav(1, 16_000, 300), 24, 0));
      audio(kinds, api, h, "header only, no samples", "empty.wav", wav(1, 16, 1, 16_000, 0, i -> 0));
      audio(kinds, api, h, "8-bit PCM", "b8.wav", wav(1, 8, 1, 16_000, 16_000, i -> Math.sin(i / 10.0)));
      audio(kinds, api, h, "24-bit PCM", "b24.wav", wav(1, 24, 1, 16_000, 16_000, i -> Math.sin(i / 10.0)));
      audio(kinds, api, h, "32-bit int PCM", "b32.wav", wav(1, 32, 1, 16_000, 16_000, i -> Math.sin(i / 10.0)));
      audio(kinds, api, h, "32-bit float", "f32.wav", wav(3, 32, 1, 16_000, 16_000, i -> Math.sin(i / 10.0)));
      audio(kinds, api, h, "64-bit float", "f64.wav", wav(3, 64, 1, 16_000, 16_000, i -> Math.sin(i / 10.0)));
      for (int ch = 2; ch <= 8; ch++) {
        audio(kinds, api, h, ch + " channels", "ch" + ch + ".wav", wav(1, 16, ch, 16_000, 16_000, i -> Math.sin(i / 7.0)));
      }
      for (int rate : new int[] {1_000, 8_000, 44_100, 96_000, 192_000, 384_000}) {
        audio(kinds, api, h, rate + " Hz", "r" + rate + ".wav", wav(1, 16, 1, rate, rate, i -> Math.sin(i / 5.0)));
      }
      audio(kinds, api, h, "NaN samples", "nan.wav", wav(3, 32, 1, 16_000, 16_000, i -> i % 100 == 0 ? Double.NaN : 0.1));
      audio(kinds, api, h, "Inf samples", "inf.wav", wav(3, 32, 1, 16_000, 16_000,
          i -> i % 77 == 0 ? Double.POSITIVE_INFINITY : -0.1));
      audio(kinds, api, h, "shorter than a window", "short.wav", wav(1, 16, 1, 16_000, 800, i -> Math.sin(i)));
      audio(kinds, api, h, "one sample", "one.wav", wav(1, 16, 1, 16_000, 1, i -> 0.5));
      int silence = LONG ? 3600 : 600;
      audio(kinds, api, h, silence / 60 + " min of silence", "silence.wav", wav(1, 8, 1, 1_000, silence * 1_000, i -> 0));
      audio(kinds, api, h, "non-ASCII filename", "鯨の歌 ñ.wav", TestAudio.wav(1, 16_000, 500));
      audio(kinds, api, h, "traversal filename", "../../../etc/passwd.wav", TestAudio.wav(1, 16_000, 510));
      audio(kinds, api, h, "quote and control characters in filename", "a\"b\tc.wav", TestAudio.wav(1, 16_000, 520));
      audio(kinds, api, h, "300-character filename", "x".repeat(300) + ".wav", TestAudio.wav(1, 16_000, 530));
      audio(kinds, api, h, "empty filename", "", TestAudio.wav(1, 16_000, 540));
      // Models.
      request(kinds, api, h, "corrupt model file", "POST", "/admin/models", "{\"path\": \"corrupt.tflite\", \"name\": \"c\"}");
      request(kinds, api, h, "model dims contradict registration", "POST", "/admin/models",
          "{\"path\": \"other.tflite\", \"name\": \"o\", \"vector_dim\": 999}");
      request(kinds, api, h, "model outside the models folder", "POST", "/admin/models", "{\"path\": \"/etc/passwd\"}");
      // JSON on every POST/PUT.
      List<String[]> writes = List.of(new String[] {"POST", "/processing/jobs"}, new String[] {"POST", "/clustering/jobs"},
          new String[] {"POST", "/admin/models"}, new String[] {"PUT", "/audio/" + good + "/metadata"},
          new String[] {"POST", "/search/similar"}, new String[] {"PUT", "/admin/models/tiny"});
      for (String[] w : writes) {
        request(kinds, api, h, "malformed JSON " + w[0] + " " + w[1], w[0], w[1], "{\"audio_file_id\": ");
        request(kinds, api, h, "3,000 nested arrays " + w[0] + " " + w[1], w[0], w[1], "[".repeat(3000) + "]".repeat(3000));
        if (!w[1].endsWith("/metadata")) { // metadata fields are free JSON; its wrong value is the 1e400 kind below
          request(kinds, api, h, "wrongly typed JSON " + w[0] + " " + w[1], w[0], w[1],
              "{\"audio_file_id\": 123, \"embedding_set_ids\": [null], \"parameters\": 7, \"path\": [], \"k\": \"x\"}");
        }
      }
      request(kinds, api, h, "5 MB JSON string", "POST", "/processing/jobs",
          "{\"audio_file_id\": \"" + "a".repeat(5 << 20) + "\"}");
      request(kinds, api, h, "metadata value 1e400", "PUT", "/audio/" + good + "/metadata", "{\"depth\": 1e400}");
      // Unknown ids and wrong methods on every route.
      for (String path : List.of("/audio/nope", "/audio/nope/download", "/audio/nope/window?index=0",
          "/audio/nope/spectrogram.png", "/processing/jobs/nope", "/processing/jobs/nope/progress",
          "/processing/embedding-sets/nope", "/clustering/jobs/nope", "/clustering/jobs/nope/clusters",
          "/clustering/clusters/nope/assignments", "/clustering/jobs/nope/report.csv", "/clustering/jobs/nope/raven.txt",
          "/clustering/jobs/nope/scatter")) {
        request(kinds, api, h, "unknown id GET " + path, "GET", path, null);
      }
      request(kinds, api, h, "unknown id cancel", "POST", "/processing/jobs/nope/cancel", null);
      request(kinds, api, h, "unknown id clustering cancel", "POST", "/clustering/jobs/nope/cancel", null);
      request(kinds, api, h, "unknown model PUT", "PUT", "/admin/models/nope", "{\"name\": \"x\"}");
      request(kinds, api, h, "unknown model DELETE", "DELETE", "/admin/models/nope", null);
      for (String[] m : List.of(new String[] {"DELETE", "/processing/jobs"}, new String[] {"PUT", "/clustering/jobs"},
          new String[] {"PATCH", "/audio/upload"}, new String[] {"DELETE", "/processing/embedding-sets"},
          new String[] {"POST", "/admin/tables"})) {
        request(kinds, api, h, "wrong method " + m[0] + " " + m[1], m[0], m[1], null);
      }
      // Absurd clustering parameters.
      String sets = "\"embedding_set_ids\": [\"" + set + "\"]";
      for (String p : List.of("{\"umap_n_components\": 1000000}", "{\"min_cluster_size\": 1e9}",
          "{\"pca_components\": 5000}", "{\"umap_n_neighbors\": -3}", "{\"min_cluster_size\": \"many\"}")) {
        request(kinds, api, h, "clustering parameters " + p, "POST", "/clustering/jobs",
            "{" + sets + ", \"parameters\": " + p + "}");
      }
      request(kinds, api, h, "clustering over no sets", "POST", "/clustering/jobs", "{\"embedding_set_ids\": []}");

      // Requests first (the audio kinds queue their jobs, which the worker then runs as one batch), then the jobs' ends.
      Map<String, List<String>> found = new LinkedHashMap<>();
      for (Map.Entry<String, Supplier<List<String>>> k : kinds.entrySet()) {
        try {
          found.put(k.getKey(), new ArrayList<>(k.getValue().get()));
        } catch (RuntimeException | AssertionError e) {
          found.put(k.getKey(), new ArrayList<>(List.of(e.toString())));
        }
      }
      pendingJobs.forEach((kind, jobId) -> {
        try {
          found.get(kind).addAll(jobEnd(api, h, jobId));
        } catch (RuntimeException | AssertionError e) {
          found.get(kind).add(e.toString());
        }
      });
      found.forEach((kind, v) -> record("bad input (" + kinds.size() + " kinds)", v.isEmpty(),
          v.stream().map(x -> kind + ": " + x).toList()));
      List<String> alive = new ArrayList<>();
      if (!serve.process.isAlive() || api.send("GET", "/processing/jobs", null).statusCode() != 200) {
        alive.add("the server did not survive the corpus");
      }
      alive.addAll(invariants(h));
      record("bad input: server alive, invariants after the corpus", true, alive);
    }
  }

  /** Audio kinds whose upload was accepted: kind -> its job, checked once all requests are made. */
  private final Map<String, String> pendingJobs = new LinkedHashMap<>();

  private void audio(Map<String, Supplier<List<String>>> kinds, ServeClient api, Path h, String kind,
      String filename, byte[] content) {
    String name = "audio: " + kind;
    kinds.put(name, () -> {
      HttpResponse<String> r = api.upload(filename, content);
      List<String> v = new ArrayList<>(clean(r, h));
      if (r.statusCode() == 201 || r.statusCode() == 200) {
        String id = json(r, r.statusCode()).get("id").asText();
        HttpResponse<String> job = api.send("POST", "/processing/jobs", "{\"audio_file_id\": \"" + id + "\"}");
        v.addAll(clean(job, h));
        if (job.statusCode() == 201) {
          pendingJobs.put(name, json(job, 201).get("id").asText());
        }
      }
      return v;
    });
  }

  /** A job of an accepted bad file ends complete, or failed with a message; no path in it. */
  private static List<String> jobEnd(ServeClient api, Path h, String jobId) {
    List<String> v = new ArrayList<>();
    JsonNode end = api.awaitFinal("/processing/jobs/" + jobId, Duration.ofMinutes(3));
    String s = end.get("status").asText();
    if (s.equals("failed") && (end.get("error_message").isNull() || end.get("error_message").asText().isBlank())) {
      v.add("failed without a message");
    } else if (!s.equals("failed") && !s.equals("complete")) {
      v.add("job ended " + s);
    }
    if (end.toString().contains(h.toString())) {
      v.add("job leaks a server path: " + end);
    }
    return v;
  }

  private static void request(Map<String, Supplier<List<String>>> kinds, ServeClient api, Path h, String kind,
      String method, String path, String body) {
    kinds.put(kind, () -> {
      HttpResponse<String> r = api.send(method, path, body);
      List<String> v = new ArrayList<>(clean(r, h));
      if (r.statusCode() < 400 && !kind.startsWith("clustering parameters")) {
        v.add("accepted: " + r.statusCode() + " " + r.body());
      }
      if (r.statusCode() < 400 && kind.startsWith("clustering parameters")) {
        // Accepted parameters must give a job that ends (failed with a message, or complete) without blocking.
        JsonNode end = api.awaitFinal("/clustering/jobs/" + json(r, r.statusCode()).get("id").asText(), Duration.ofMinutes(2));
        if (end.get("status").asText().equals("failed") && end.get("error_message").asText().isBlank()) {
          v.add("failed without a message");
        }
      }
      return v;
    });
  }

  /** A response that is 4xx has a JSON detail; none is 5xx; none leaks a server path or a stack trace. */
  private static List<String> clean(HttpResponse<String> r, Path h) {
    List<String> v = new ArrayList<>();
    String body = r.body() == null ? "" : r.body();
    if (r.statusCode() >= 500) {
      v.add("server error " + r.statusCode() + ": " + body.substring(0, Math.min(200, body.length())));
    }
    if (r.statusCode() >= 400) {
      try {
        JsonNode d = Json.MAPPER.readTree(body).get("detail");
        if (d == null || d.asText().isBlank()) {
          v.add(r.statusCode() + " without a JSON detail: " + body);
        }
      } catch (IOException e) {
        v.add(r.statusCode() + " not JSON: " + body.substring(0, Math.min(200, body.length())));
      }
    }
    if (body.contains(h.toString()) || body.contains("/work/") || body.contains("/tmp/")) {
      v.add("leaks a server path: " + body.substring(0, Math.min(300, body.length())));
    }
    if (body.contains("\tat ") || body.contains("Exception:") && body.contains("at org.")) {
      v.add("leaks a stack trace");
    }
    return v;
  }

  // ---- concurrency and load ----------------------------------------------------------------------------------------

  /** Three serve processes (each with its worker) drain {@code n} jobs while the first takes uploads; each job runs once. */
  private void concurrencyAndLoad(int n, int requests) throws Exception {
    Path h = Files.createDirectories(home.resolve("concurrency"));
    List<String> jobs = new ArrayList<>();
    List<ChildServe> servers = new ArrayList<>();
    try {
      servers.add(ChildServe.start(h));
      ServeClient api = servers.get(0).client();
      registerTiny(h, api);
      servers.add(ChildServe.start(h, List.of(), h.resolve("serve-2.log")));
      servers.add(ChildServe.start(h, List.of(), h.resolve("serve-3.log")));
      // In chunks: the workers drain one chunk's jobs while the API takes the next chunk's uploads and jobs.
      int chunk = Math.max(1, n / 4);
      for (int first = 0; first < n; first += chunk) {
        List<String> ids = new ArrayList<>();
        for (int i = first; i < Math.min(n, first + chunk); i++) {
          ids.add("\"" + api.uploadId(TestAudio.wav(1, 16_000, 100 + 7 * i)) + "\"");
        }
        for (JsonNode j : json(api.send("POST", "/processing/jobs", "{\"audio_file_ids\": " + ids + "}"), 201)) {
          jobs.add(j.get("id").asText());
        }
      }
      for (String id : jobs) {
        api.awaitFinal("/processing/jobs/" + id, Duration.ofMinutes(5));
      }
      Map<String, Integer> byWorker = new LinkedHashMap<>();
      try (Database db = Database.open("jdbc:sqlite:" + h.resolve("humpback.db"))) {
        for (String id : jobs) {
          ProcessingJob j = db.dao(ProcessingJobDao.class).findById(id).orElseThrow();
          List<String> v = new ArrayList<>();
          if (j.status() != JobStatus.COMPLETE) {
            v.add("job " + id + " ended " + j.status().wireName() + ": " + j.errorMessage());
          }
          if (j.attempts() != 1) {
            v.add("job " + id + " ran " + j.attempts() + " times");
          }
          byWorker.merge(String.valueOf(j.workerId()), 1, Integer::sum);
          record("concurrency: 3 serve workers x " + n + " jobs, uploads meanwhile", true, v);
        }
      }
      details.add("concurrency: jobs per worker " + byWorker.values());
      List<String> v = invariants(h);
      if (!v.isEmpty()) {
        record("concurrency: 3 serve workers x " + n + " jobs, uploads meanwhile", true, v);
      }
      load(api, requests);
    } finally {
      for (ChildServe s : servers) {
        s.close();
      }
    }
  }

  /** A bounded loopback load: 4 client threads, {@code GET /processing/jobs}, against a server holding the jobs above. */
  private void load(ServeClient api, int requests) throws Exception {
    ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        while (next.getAndIncrement() < requests) {
          long t0 = System.nanoTime();
          try {
            if (api.send("GET", "/processing/jobs?limit=50", null).statusCode() != 200) {
              errors.incrementAndGet();
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
          micros.add((System.nanoTime() - t0) / 1000);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    details.add(String.format("load: %d GETs from 4 threads: p50 %.2f ms, p99 %.2f ms, %d errors (load average %.1f)",
        sorted.length, sorted[sorted.length / 2] / 1000.0, sorted[(int) (sorted.length * 0.99)] / 1000.0, errors.get(), load));
    int[] row = table.computeIfAbsent("load: GET /processing/jobs, 4 threads", k -> new int[3]);
    row[0] += sorted.length;
    row[1] += sorted.length - errors.get();
  }

  // ---- generated audio ---------------------------------------------------------------------------------------------

  interface Sample {
    double at(int i);
  }

  /** A WAV: {@code format} 1 = PCM integer, 3 = IEEE float; interleaved channels of the same signal. */
  static byte[] wav(int format, int bits, int channels, int rate, int frames, Sample s) {
    int bytes = bits / 8;
    int dataLen = frames * channels * bytes;
    ByteBuffer b = ByteBuffer.allocate(44 + dataLen).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + dataLen).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) format).putShort((short) channels).putInt(rate)
        .putInt(rate * channels * bytes).putShort((short) (channels * bytes)).putShort((short) bits);
    b.put("data".getBytes()).putInt(dataLen);
    for (int i = 0; i < frames; i++) {
      double x = s.at(i);
      for (int c = 0; c < channels; c++) {
        double y = Double.isFinite(x) ? Math.max(-1, Math.min(1, x)) * 0.5 : x;
        if (format == 3 && bits == 32) {
          b.putFloat((float) y);
        } else if (format == 3) {
          b.putDouble(y);
        } else if (bits == 8) {
          b.put((byte) (128 + Math.round(y * 127)));
        } else if (bits == 16) {
          b.putShort((short) Math.round(y * 32767));
        } else if (bits == 24) {
          int v = (int) Math.round(y * 8_388_607);
          b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
        } else {
          b.putInt((int) Math.round(y * 2_147_483_647.0));
        }
      }
    }
    return b.array();
  }

  private static byte[] lying(byte[] wav, int offset, int shortValue) {
    byte[] c = wav.clone();
    if (offset == 40) {
      return lyingInt(c, offset, shortValue);
    }
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) shortValue);
    return c;
  }

  private static byte[] lyingInt(byte[] wav, int offset, int value) {
    byte[] c = wav.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
    return c;
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
