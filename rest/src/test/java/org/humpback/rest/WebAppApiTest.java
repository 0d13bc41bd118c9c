package org.humpback.rest;

import static org.humpback.rest.ProcessingApiTest.assertDetail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's endpoints over real HTTP: WAV slices (length, range requests), spectrogram PNGs (size), the clustering
 * exports (Raven table, CSV, scatter) and exact cosine similarity search over real Parquet embedding files.
 */
class WebAppApiTest {

  static final int RATE = 8_000;
  static final int DIM = 16;
  static final int ROWS = 6;

  @TempDir static Path root;
  static TestApi api;
  static String audioA;
  static String audioB;
  static EmbeddingSet setA;
  static EmbeddingSet setB;
  static byte[] uploaded;
  static float[][] vectorsA;
  static float[][] vectorsB;

  @BeforeAll
  static void start() {
    api = TestApi.start(root);
    api.insertModel("tiny16", DIM, true);
    uploaded = TestAudio.wav(3.0, RATE, 440);
    TestApi.Resp r = api.upload("song one.wav", uploaded, "reef/site1");
    assertEquals(201, r.status(), r::toString);
    audioA = r.json().get("id").asText();
    audioB = api.uploadId(660);
    Random random = new Random(7);
    vectorsA = randomVectors(random);
    vectorsB = randomVectors(random);
    setA = embeddingSet(audioA, vectorsA);
    setB = embeddingSet(audioB, vectorsB);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void windowIsAWavOfTheRequestedLength() {
    HttpResponse<byte[]> r = bytes("/audio/" + audioA + "/window?start_s=1.0&duration_s=0.5", null);
    assertEquals(200, r.statusCode());
    assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElse(""));
    ByteBuffer b = ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("RIFF", new String(r.body(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(RATE, b.getInt(24), "sample rate: the file's own");
    assertEquals(RATE / 2 * 2, b.getInt(40), "0.5 s of 16-bit mono samples");
    assertEquals(44 + RATE, r.body().length);
    // The slice holds the file's samples from 1.0 s on (the upload is a 440 Hz sine of amplitude 12000).
    ByteBuffer src = ByteBuffer.wrap(uploaded).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 50; i++) {
      assertEquals(src.getShort(44 + 2 * (RATE + i)), b.getShort(44 + 2 * i), 2.0, "sample " + i);
    }

    // Past the end: cut at the end of the recording.
    HttpResponse<byte[]> tail = bytes("/audio/" + audioA + "/window?start_s=2.75&duration_s=5", null);
    assertEquals(44 + 2 * RATE / 4, tail.body().length);

    // Normalised: the peak is at 0.98 of full scale.
    HttpResponse<byte[]> loud = bytes("/audio/" + audioA + "/window?start_s=0&duration_s=1&normalize=true", null);
    ByteBuffer lb = ByteBuffer.wrap(loud.body()).order(ByteOrder.LITTLE_ENDIAN);
    int peak = 0;
    for (int i = 44; i < loud.body().length; i += 2) {
      peak = Math.max(peak, Math.abs(lb.getShort(i)));
    }
    assertEquals(Math.round(0.98 * 32767), peak, 2);
  }

  @Test
  void rangeRequestsServePartsForSeeking() {
    HttpResponse<byte[]> whole = bytes("/audio/" + audioA + "/window?start_s=0&duration_s=1", null);
    HttpResponse<byte[]> part = bytes("/audio/" + audioA + "/window?start_s=0&duration_s=1", "bytes=100-199");
    assertEquals(206, part.statusCode());
    assertEquals("bytes 100-199/" + whole.body().length, part.headers().firstValue("Content-Range").orElse(""));
    assertArrayEquals(java.util.Arrays.copyOfRange(whole.body(), 100, 200), part.body());
    HttpResponse<byte[]> suffix = bytes("/audio/" + audioA + "/download", "bytes=-10");
    assertEquals(206, suffix.statusCode());
    assertArrayEquals(java.util.Arrays.copyOfRange(uploaded, uploaded.length - 10, uploaded.length), suffix.body());
    HttpResponse<byte[]> beyond = bytes("/audio/" + audioA + "/download", "bytes=999999-");
    assertEquals(416, beyond.statusCode());
    assertEquals("bytes */" + uploaded.length, beyond.headers().firstValue("Content-Range").orElse(""));
  }

  @Test
  void downloadIsTheOriginalFile() {
    HttpResponse<byte[]> r = bytes("/audio/" + audioA + "/download", null);
    assertEquals(200, r.statusCode());
    assertArrayEquals(uploaded, r.body());
    assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
    assertTrue(r.headers().firstValue("Content-Disposition").orElse("").contains("song one.wav"));
  }

  @Test
  void spectrogramIsAPngOfTheRequestedSize() throws IOException {
    HttpResponse<byte[]> r = bytes("/audio/" + audioA + "/spectrogram.png?start_s=0.5&duration_s=2&width=300"
        + "&height=180", null);
    assertEquals(200, r.statusCode());
    assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
    assertEquals(300, img.getWidth());
    assertEquals(180, img.getHeight());
    BufferedImage dflt = ImageIO.read(new ByteArrayInputStream(bytes("/audio/" + audioA + "/spectrogram.png", null)
        .body()));
    assertEquals(640, dflt.getWidth());
    assertEquals(320, dflt.getHeight());
    // The tone is the brightest row of the plot, and a higher tone is drawn higher up (the mel axis).
    BufferedImage high = ImageIO.read(new ByteArrayInputStream(bytes("/audio/" + audioB + "/spectrogram.png?"
        + "duration_s=1&width=300&height=180", null).body()));
    int low440 = brightestRow(img, 150);
    int high660 = brightestRow(high, 150);
    assertTrue(high660 < low440 - 3, "660 Hz at row " + high660 + " should be above 440 Hz at row " + low440);
  }

  /** The row of the brightest (most yellow) pixel in column x. */
  private static int brightestRow(BufferedImage img, int x) {
    int best = -1;
    int bestValue = -1;
    for (int y = 0; y < img.getHeight(); y++) {
      int rgb = img.getRGB(x, y);
      int value = ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff);
      if (value > bestValue) {
        bestValue = value;
        best = y;
      }
    }
    return best;
  }

  @Test
  void mediaErrorsAreJsonDetails() {
    assertDetail(api.get("/audio/" + audioA + "/window?start_s=10"), 422, "start_s");
    assertDetail(api.get("/audio/" + audioA + "/window?duration_s=abc"), 422, "duration_s");
    assertDetail(api.get("/audio/" + audioA + "/window?duration_s=0"), 422, "duration_s");
    assertDetail(api.get("/audio/" + audioA + "/window?normalize=maybe"), 422, "normalize");
    assertDetail(api.get("/audio/" + audioA + "/spectrogram.png?width=5"), 422, "width");
    assertDetail(api.get("/audio/nope/window"), 404, "nope");
    assertDetail(api.get("/audio/nope/download"), 404, "nope");
    TestApi.Resp bad = api.get("/audio/" + audioA + "/window?start_s=10");
    assertFalse(bad.body().contains(root.toString()), "server path leaked: " + bad.body());
  }

  /**
   * A stored recording that no longer decodes (damaged on disk after its upload was checked) is the server's fault: a
   * 500 whose detail names the decoder's reason, never the server's path; the download still serves the bytes as kept.
   */
  @Test
  void storedRecordingThatNoLongerDecodesIsAServerErrorNamingTheCause() throws IOException {
    String id = api.uploadId(880);
    Path stored = api.storage.resolve("audio/raw/" + id + "/original.wav");
    byte[] damaged = new byte[4096];
    System.arraycopy("RIFF\0\0\0\0WAVEjunk".getBytes(), 0, damaged, 0, 16);
    Files.write(stored, damaged);
    for (String slice : List.of("/window", "/spectrogram.png")) {
      TestApi.Resp r = api.get("/audio/" + id + slice);
      assertDetail(r, 500, "Cannot decode audio file original.wav: ");
      assertFalse(r.body().contains(root.toString()), "server path leaked: " + r.body());
    }
    assertArrayEquals(damaged, bytes("/audio/" + id + "/download", null).body());
  }

  @Test
  void ravenTableCsvAndScatterListEveryWindow() {
    String jobId = completedJob();
    TestApi.Resp raven = api.get("/clustering/jobs/" + jobId + "/raven.txt");
    assertEquals(200, raven.status(), raven::toString);
    assertTrue(raven.contentType().startsWith("text/plain"), raven.contentType());
    String[] lines = raven.body().split("\n");
    assertEquals("Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tCluster\tFile",
        lines[0]);
    assertEquals(1 + 2 * ROWS, lines.length);
    List<String> files = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t", -1);
      assertEquals(9, f.length, lines[i]);
      assertEquals(i, Integer.parseInt(f[0]));
      assertEquals("Spectrogram 1", f[1]);
      assertEquals("1", f[2]);
      double begin = Double.parseDouble(f[3]);
      assertEquals(begin + 0.5, Double.parseDouble(f[4]), 1e-9);
      assertEquals(0.0, Double.parseDouble(f[5]));
      assertEquals(500.0, Double.parseDouble(f[6]), "Nyquist of the set's 1000 Hz rate");
      assertTrue(Integer.parseInt(f[7]) >= -1);
      files.add(f[8]);
    }
    assertTrue(files.contains("song one.wav"), files::toString);

    TestApi.Resp csv = api.get("/clustering/jobs/" + jobId + "/report.csv");
    assertEquals(200, csv.status());
    String[] rows = csv.body().split("\n");
    assertTrue(rows[0].startsWith("cluster_label,embedding_set_id,row_index,audio_file_id,filename"), rows[0]);
    assertEquals(1 + 2 * ROWS, rows.length);

    JsonNode scatter = api.get("/clustering/jobs/" + jobId + "/scatter").json();
    assertEquals(2 * ROWS, scatter.get("count").asInt());
    for (String column : List.of("x", "y", "cluster", "set", "row", "file", "start", "end")) {
      assertEquals(2 * ROWS, scatter.get(column).size(), column);
    }
    assertTrue(scatter.get("has_xy").asBoolean());
    assertEquals(2, scatter.get("sets").size());
    assertEquals(2, scatter.get("files").size());
    assertFalse(scatter.toString().contains(root.toString()), "server path leaked");

    assertDetail(api.get("/clustering/jobs/nope/raven.txt"), 404, "nope");
    String queued = api.post("/clustering/jobs", "{\"embedding_set_ids\": [\"" + setA.id() + "\"]}").json()
        .get("id").asText();
    assertDetail(api.get("/clustering/jobs/" + queued + "/scatter"), 409, "queued");
  }

  @Test
  void selectionExportsListOnlyTheSelectedWindows() {
    String jobId = completedJob();
    // Two windows of set A and one of set B, as the web app's lasso posts them.
    String body = "{\"windows\": {\"" + setA.id() + "\": [4, 1], \"" + setB.id() + "\": [0]}}";
    TestApi.Resp raven = api.post("/clustering/jobs/" + jobId + "/raven.txt", body);
    assertEquals(200, raven.status(), raven::toString);
    assertTrue(raven.contentType().startsWith("text/plain"), raven.contentType());
    String[] lines = raven.body().split("\n");
    assertEquals("Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tCluster\tFile",
        lines[0]);
    assertEquals(4, lines.length, raven.body());
    List<String> selected = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t", -1);
      assertEquals(i, Integer.parseInt(f[0]), "selections numbered from 1");
      selected.add(f[8] + "@" + f[3]);
    }
    // Window r of a set starts at r * 0.5 s (see embeddingSet); set A's file sorts first by name.
    assertEquals(List.of("song one.wav@0.5", "song one.wav@2"), selected.subList(0, 2));
    assertTrue(selected.get(2).endsWith("@0"), selected::toString);

    TestApi.Resp csv = api.post("/clustering/jobs/" + jobId + "/report.csv", body);
    assertEquals(200, csv.status(), csv::toString);
    String[] rows = csv.body().split("\n");
    assertEquals(4, rows.length, csv.body());
    assertTrue(rows[1].contains("," + setA.id() + ",1,"), rows[1]);
    assertTrue(rows[2].contains("," + setA.id() + ",4,"), rows[2]);
    assertTrue(rows[3].contains("," + setB.id() + ",0,"), rows[3]);

    assertDetail(api.post("/clustering/jobs/" + jobId + "/raven.txt", "{}"), 422, "windows");
    assertDetail(api.post("/clustering/jobs/" + jobId + "/raven.txt", "{\"windows\": {}}"), 422, "windows");
    assertDetail(api.post("/clustering/jobs/" + jobId + "/raven.txt", "{\"windows\": {\"" + setA.id()
        + "\": [1, 99]}}"), 422, setA.id() + " row 99");
    assertDetail(api.post("/clustering/jobs/" + jobId + "/report.csv", "{\"windows\": {\"" + setA.id()
        + "\": [null]}}"), 422, "windows");
    assertDetail(api.post("/clustering/jobs/nope/report.csv", body), 404, "nope");
  }

  @Test
  void similarSearchPutsTheQueryFirstThenTheNearest() {
    JsonNode results = api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id()
        + "\", \"row_index\": 2, \"k\": 5}").json().get("results");
    assertEquals(5, results.size());
    JsonNode first = results.get(0);
    assertEquals(setA.id(), first.get("embedding_set_id").asText());
    assertEquals(2, first.get("row_index").asInt());
    assertEquals(audioA, first.get("audio_file_id").asText());
    assertEquals(1.0, first.get("score").asDouble());
    assertEquals(1.0, first.get("start_s").asDouble());
    assertEquals(1.5, first.get("end_s").asDouble());
    // The rest: the true cosine ranking over both sets, computed here in double precision.
    List<double[]> expected = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      float[][] v = s == 0 ? vectorsA : vectorsB;
      for (int i = 0; i < ROWS; i++) {
        if (s == 0 && i == 2) {
          continue;
        }
        expected.add(new double[] {cosine(vectorsA[2], v[i]), s, i});
      }
    }
    expected.sort((a, b) -> Double.compare(b[0], a[0]));
    double previous = 1.0;
    for (int i = 1; i < 5; i++) {
      JsonNode r = results.get(i);
      double[] e = expected.get(i - 1);
      assertEquals(e[0], r.get("score").asDouble(), 1e-5, r::toString);
      assertEquals(e[1] == 0 ? setA.id() : setB.id(), r.get("embedding_set_id").asText());
      assertEquals((int) e[2], r.get("row_index").asInt());
      assertTrue(r.get("score").asDouble() <= previous);
      previous = r.get("score").asDouble();
    }
    // Restricted to set B: the query window still comes first.
    JsonNode onlyB = api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id()
        + "\", \"row_index\": 0, \"k\": 3, \"embedding_set_ids\": [\"" + setB.id() + "\"]}").json().get("results");
    assertEquals(setA.id(), onlyB.get(0).get("embedding_set_id").asText());
    assertEquals(setB.id(), onlyB.get(1).get("embedding_set_id").asText());
    assertEquals(setB.id(), onlyB.get(2).get("embedding_set_id").asText());
  }

  @Test
  void similarSearchRefusesBadRequests() throws Exception {
    assertDetail(api.post("/search/similar", "{\"row_index\": 0}"), 422, "embedding_set_id");
    assertDetail(api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id() + "\"}"), 422, "row_index");
    assertDetail(api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id() + "\", \"row_index\": 0, "
        + "\"k\": 0}"), 422, "k");
    assertDetail(api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id() + "\", \"row_index\": \"x\"}"),
        422, "row_index");
    assertDetail(api.post("/search/similar", "{\"embedding_set_id\": \"ghost\", \"row_index\": 0}"), 404, "ghost");
    TestApi.Resp missingRow = api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id()
        + "\", \"row_index\": 99}");
    assertDetail(missingRow, 404, "row_index 99");
    EmbeddingSet other = api.insertEmbeddingSet(audioB, "tiny16", 4);
    assertDetail(api.post("/search/similar", "{\"embedding_set_id\": \"" + setA.id() + "\", \"row_index\": 0, "
        + "\"embedding_set_ids\": [\"" + other.id() + "\"]}"), 400, "not comparable");
    java.nio.file.Files.delete(java.nio.file.Path.of(other.parquetPath()));
    TestApi.Resp noFile = api.post("/search/similar", "{\"embedding_set_id\": \"" + other.id()
        + "\", \"row_index\": 0}");
    assertDetail(noFile, 409, "embeddings file");
    assertFalse(noFile.body().contains(root.toString()), "server path leaked: " + noFile.body());
  }

  @Test
  void progressShowsTheWorkersLiveFigures() {
    TestApi.Resp created = api.post("/processing/jobs", "{\"audio_file_id\": \"" + audioB + "\"}");
    assertEquals(201, created.status(), created::toString);
    String jobId = created.json().get("id").asText();
    JsonNode queued = api.get("/processing/jobs/" + jobId + "/progress").json();
    assertEquals("queued", queued.get("status").asText());
    assertEquals(0, queued.get("windows_done").asLong());
    assertTrue(queued.get("eta_seconds").isNull());
    // A worker claims it and reports 3 of 10 windows at 2 windows/s, as the encoding worker does.
    var queue = org.humpback.registry.queue.JobQueue.processing(api.db.jdbi());
    assertEquals(jobId, queue.claim("w1").map(j -> j.id()).orElseThrow());
    queue.progress(jobId, "w1", 3, 10L, 2.0);
    JsonNode running = api.get("/processing/jobs/" + jobId + "/progress").json();
    assertEquals("running", running.get("status").asText());
    assertEquals(3, running.get("windows_done").asLong());
    assertEquals(10, running.get("windows_total").asLong());
    assertEquals(2.0, running.get("windows_per_second").asDouble());
    assertEquals(3.5, running.get("eta_seconds").asDouble(), 1e-9);
    assertFalse(running.get("started_at").isNull());
    queue.cancel(jobId);
    assertTrue(api.get("/processing/jobs/" + jobId + "/progress").json().get("cancel_requested").asBoolean());
    assertDetail(api.get("/processing/jobs/nope/progress"), 404, "nope");
  }

  // ---- fixtures ----

  private static float[][] randomVectors(Random random) {
    float[][] v = new float[ROWS][DIM];
    for (float[] row : v) {
      for (int i = 0; i < DIM; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    return v;
  }

  /** A real Parquet file as the encoder writes it, and its row: windows of 0.5 s at 1000 Hz. */
  private static EmbeddingSet embeddingSet(String audioFileId, float[][] vectors) {
    String signature = Ids.newId().replace("-", "");
    Path file = Path.of(EmbeddingParquet.path(api.storage.resolve("embeddings").toString(), "tiny16", audioFileId, signature));
    try {
      java.nio.file.Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<EmbeddingParquet.Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(new EmbeddingParquet.Row(i, i * 0.5, i * 0.5 + 0.5, vectors[i]));
    }
    EmbeddingParquet.write(file.toString(), new EmbeddingParquet.Metadata("tiny16", "tiny16", signature, "{}", "0".repeat(64),
        DIM, "test"), rows.iterator());
    EmbeddingSet s = new EmbeddingSet(Ids.newId(), audioFileId, signature, "tiny16", 0.5, 1000, DIM, file.toString(),
        (long) vectors.length, Instant.now());
    api.db.dao(EmbeddingSetDao.class).insert(s);
    return s;
  }

  /** A complete clustering job over both sets as the clustering worker leaves it: two clusters, every window placed. */
  private static String completedJob() {
    Instant now = Instant.now();
    ClusteringJob job = new ClusteringJob(Ids.newId(), JobStatus.COMPLETE,
        "[\"" + setA.id() + "\", \"" + setB.id() + "\"]", "{}", null, "{\"n_clusters\": 2}", null, now, now, 1.0,
        0, null, null, 1, 3, null, null, now, now, false);
    api.db.dao(ClusteringJobDao.class).insert(job);
    Cluster noise = new Cluster(Ids.newId(), job.id(), -1, 4, "{}");
    Cluster c0 = new Cluster(Ids.newId(), job.id(), 0, 8, "{}");
    api.db.dao(ClusterDao.class).insertAll(List.of(noise, c0));
    List<ClusterAssignment> all = new ArrayList<>();
    for (EmbeddingSet s : List.of(setA, setB)) {
      for (int i = 0; i < ROWS; i++) {
        all.add(new ClusterAssignment(Ids.newId(), i < 2 ? noise.id() : c0.id(), s.id(), i, i * 0.5, i * 0.5 + 0.5,
            (double) i, (double) -i));
      }
    }
    api.db.dao(ClusterAssignmentDao.class).insertAll(all);
    return job.id();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static HttpResponse<byte[]> bytes(String path, String range) {
    var b = api.base(path).GET();
    if (range != null) {
      b.header("Range", range);
    }
    try {
      return java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
