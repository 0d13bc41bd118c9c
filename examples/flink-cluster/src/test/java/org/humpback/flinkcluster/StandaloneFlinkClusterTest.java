package org.humpback.flinkcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.humpback.pipelines.EncodingOptions;
import org.humpback.pipelines.EncodingPipeline;
import org.humpback.pipelines.EncodingSignature;
import org.humpback.pipelines.EncodingSpec;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone cluster of {@code examples/flink-cluster}: its script starts one JobManager and two TaskManagers
 * (one slot each), one run encodes the corpus's humpback recordings on it with parallelism 2, the vectors equal the
 * direct runner's, Flink's REST API lists exactly that one finished job; then a second run shows progress
 * ({@code PipelineResult.metrics()}) while it runs and is cancelled ({@code PipelineResult.cancel()}: the job ends
 * CANCELED); the script stops every process. Prints the bytes each run uploads to the cluster and the wall time
 * per file next to the direct runner's. Skipped, with a message, without {@code ../shared}'s corpus.
 */
@Tag("flink-cluster")
class StandaloneFlinkClusterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** YAMNet as the registry configures it: 16 kHz waveform, 0.975-s windows, the 1024-d embedding tensor. */
  private static final FrontEndConfig YAMNET = FrontEndConfig.defaults()
      .withSampleRate(16000).withWindowSeconds(0.975).withFeatures(FeatureType.WAVEFORM);
  private static final String YAMNET_EMBEDDING = "yamnet_frames/global_average_pooling2d/Mean";

  @Test
  void encodesTheCorpusOnTwoTaskManagersAsTheDirectRunnerDoes(@TempDir Path dir) throws Exception {
    Path model = SharedCorpus.yamnet();
    List<Path> audio;
    try (Stream<Path> s = Files.list(SharedCorpus.audio("humpback"))) {
      audio = s.filter(p -> p.getFileName().toString().matches(".*\\.(wav|mp3|ogg|oga)")).sorted().toList();
    }
    assertTrue(audio.size() >= 10, "the corpus's humpback folder has " + audio.size() + " recordings");
    List<EncodingPipeline.Input> inputs = new ArrayList<>();
    for (int i = 0; i < audio.size(); i++) {
      inputs.add(new EncodingPipeline.Input("f" + i, audio.get(i).toString(), "0".repeat(64)));
    }
    ModelConfig mc = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(YAMNET_EMBEDDING);
    String sig = EncodingSignature.compute("yamnet", EncodingSignature.modelChecksum(model), mc, YAMNET);

    Path script = Path.of(System.getProperty("humpback.root"), "examples/flink-cluster/flink-cluster");
    int restPort = freePort(); // Flink's 8081 may be taken on a shared machine; the script defaults to it
    Map<String, String> env = Map.of("FLINK_REST_PORT", Integer.toString(restPort),
        "FLINK_RPC_PORT", Integer.toString(freePort()), "FLINK_TASKMANAGERS", "2", "FLINK_TM_SLOTS", "1");
    String master = "127.0.0.1:" + restPort;
    Path conf = script.getParent().resolve("target/conf");
    try {
      assertEquals(0, script(script, "start", env), "flink-cluster start");
      JsonNode overview = get(master, "/overview");
      assertEquals(2, overview.path("taskmanagers").asInt(), overview.toString());
      assertEquals(2, overview.path("slots-total").asInt(), overview.toString());

      EncodingSpec direct = new EncodingSpec("yamnet", "yamnet", mc, YAMNET, sig, dir.resolve("direct").toString(), Map.of());
      long t0 = System.nanoTime();
      EncodingPipeline.Result d = EncodingPipeline.run(EncodingPipeline.options("direct", null, 2, false), direct, inputs,
          dir.resolve("run-direct"));
      double directSeconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(d.allOk(), d.files().toString());

      EncodingSpec onCluster = new EncodingSpec("yamnet", "yamnet", mc, YAMNET, sig, dir.resolve("flink").toString(),
          Map.of());
      EncodingOptions o = EncodingPipeline.options("flink", master, 2, false);
      o.setJobName("humpback-cluster-test");
      t0 = System.nanoTime();
      EncodingPipeline.Result f = EncodingPipeline.run(o, onCluster, inputs, dir.resolve("run-flink"));
      double flinkSeconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(PipelineResult.State.DONE, f.state(), f.files().toString());
      assertTrue(f.allOk(), f.files().toString());

      // What the run staged (humpback's own code; Beam zips class folders) is what it uploaded.
      long staged = 0;
      for (String file : o.getFilesToStage()) {
        staged += Files.size(Path.of(file));
      }
      assertTrue(staged < 5_000_000, "a run stages humpback's own code only: " + o.getFilesToStage() + " = " + staged);

      long windows = 0;
      for (EncodingPipeline.Input in : inputs) {
        EmbeddingParquet.Contents a = EmbeddingParquet.read(direct.parquetPath(in.audioFileId()).toString());
        EmbeddingParquet.Contents b = EmbeddingParquet.read(onCluster.parquetPath(in.audioFileId()).toString());
        assertEquals(a.rows().size(), b.rows().size(), in.path());
        for (int r = 0; r < a.rows().size(); r++) {
          EmbeddingParquet.Row x = a.rows().get(r);
          EmbeddingParquet.Row y = b.rows().get(r);
          assertEquals(x.rowIndex(), y.rowIndex());
          assertEquals(x.startS(), y.startS(), 1e-9);
          assertEquals(x.endS(), y.endS(), 1e-9);
          assertEquals(x.embedding().length, y.embedding().length);
          for (int k = 0; k < x.embedding().length; k++) {
            assertEquals(x.embedding()[k], y.embedding()[k], 1e-6, in.path() + " row " + r + " [" + k + "]");
          }
        }
        windows += a.rows().size();
      }

      JsonNode jobs = get(master, "/jobs/overview").path("jobs");
      assertEquals(1, jobs.size(), "one run, one Flink job: " + jobs);
      JsonNode job = jobs.get(0);
      assertEquals("FINISHED", job.path("state").asText(), job.toString());
      assertEquals("humpback-cluster-test", job.path("name").asText());
      Set<String> taskManagers = new HashSet<>();
      for (JsonNode v : get(master, "/jobs/" + job.path("jid").asText()).path("vertices")) {
        JsonNode tms = get(master, "/jobs/" + job.path("jid").asText() + "/vertices/" + v.path("id").asText()
            + "/taskmanagers").path("taskmanagers");
        tms.forEach(t -> taskManagers.add(t.path("taskmanager-id").asText()));
      }
      assertEquals(2, taskManagers.size(), "the job's tasks ran on both TaskManagers: " + taskManagers);

      // Progress and cancel through PipelineResult while a job runs on the cluster (a run is detached).
      // 90 min: long enough that the cancel lands while the job runs (30 min once finished, 7 s, before it did).
      Path longWav = writeTone(dir.resolve("long.wav"), 5400, 8000);
      EncodingSpec toCancel = new EncodingSpec("yamnet", "yamnet", mc, YAMNET, sig, dir.resolve("cancel").toString(),
          Map.of());
      EncodingOptions oc = EncodingPipeline.options("flink", master, 2, false);
      oc.setJobName("humpback-cluster-cancel");
      EncodingPipeline.Run run = EncodingPipeline.start(oc, toCancel,
          List.of(new EncodingPipeline.Input("long", longWav.toString(), "0".repeat(64))), dir.resolve("run-cancel"));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (run.windowsEmbedded() == 0 && !run.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      long progress = run.windowsEmbedded();
      assertTrue(progress > 0 && !run.isDone(), "live progress before the end: " + progress + " windows");
      run.cancel();
      EncodingPipeline.Result cancelled = run.await();
      assertEquals(PipelineResult.State.CANCELLED, cancelled.state(), "the job ran on when the cancel came (a cancel "
          + "that comes too late says so: " + cancelled.cancelCameTooLate() + ")");
      assertEquals("canceled", cancelled.files().get(0).errorReason());
      JsonNode cancelledJob = null;
      for (JsonNode j : get(master, "/jobs/overview").path("jobs")) {
        if (j.path("name").asText().equals("humpback-cluster-cancel")) {
          cancelledJob = j;
        }
      }
      assertTrue(cancelledJob != null && cancelledJob.path("state").asText().equals("CANCELED"), String.valueOf(cancelledJob));
      run.discardOutput();

      System.out.printf(Locale.ROOT, "StandaloneFlinkClusterTest: cancelled a running job after %d windows of progress%n",
          progress);
      System.out.printf(Locale.ROOT, "StandaloneFlinkClusterTest: %d files, %d windows; bytes uploaded per run: %,d "
              + "(%d files: %s); wall time per file: cluster p=2 %.2f s (%.1f s), direct p=2"
              + " %.2f s (%.1f s), ratio %.2f; load average %s%n",
          inputs.size(), windows, staged, o.getFilesToStage().size(),
          o.getFilesToStage().stream().map(s -> Path.of(s).getFileName().toString()).toList(),
          flinkSeconds / inputs.size(), flinkSeconds, directSeconds / inputs.size(), directSeconds,
          flinkSeconds / directSeconds, loadAverage());
    } finally {
      assertEquals(0, script(script, "stop", env), "flink-cluster stop");
      List<String> left = ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().map(c -> c.contains(conf.toString())).orElse(false))
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
      assertTrue(left.isEmpty(), "processes of the cluster left: " + left);
    }
  }

  private static int script(Path script, String command, Map<String, String> env) throws Exception {
    Path log = Files.createTempFile("flink-cluster-" + command, ".log");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    System.out.print(Files.readString(log)); // the script's own messages, in the test's output
    Files.delete(log);
    if (!ended) {
      throw new AssertionError("flink-cluster " + command + " did not finish in 5 minutes");
    }
    return p.exitValue();
  }

  private static JsonNode get(String master, String path) throws IOException, InterruptedException {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://" + master + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  /** A 16-bit mono WAV of a 440-Hz tone. */
  private static Path writeTone(Path file, int seconds, int rate) throws IOException {
    int n = seconds * rate;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes()).putInt(2 * n);
    for (int i = 0; i < n; i++) {
      b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate)));
    }
    Files.write(file, b.array());
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "n/a";
    }
  }
}
