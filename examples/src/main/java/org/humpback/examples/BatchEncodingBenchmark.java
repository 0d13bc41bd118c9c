package org.humpback.examples;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.humpback.pipelines.EncodingOptions;
import org.humpback.pipelines.EncodingPipeline;
import org.humpback.pipelines.EncodingSignature;
import org.humpback.pipelines.EncodingSpec;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;

/**
 * A batch of many short recordings, end to end, against the model's bare inference on the same
 * windows (issue 13): the ratio {@code e2e ÷ bare inference}, goal ≤ 1.10 for a pipeline run and
 * ≤ 1.3 for the whole {@code ./humpback encode DIR} command.
 *
 * <p>The batch: the recordings of a corpus folder (default {@code ../shared/corpus/audio/humpback},
 * 15 files, about 15 minutes), listed again under new names until it holds {@code --minutes} of audio
 * (default 30), as the shipped YAMNet is configured by the product (16 kHz waveform, 0.975-s windows,
 * the 1024-d embedding, batches of 16, one model instance per worker thread with one intra-op thread).
 *
 * <p>Bare inference: every window of the batch decoded beforehand (not timed), then fed to
 * {@code parallelism} model instances in batches of 16, one thread each; the model load and first
 * call are timed with it (the pipeline pays them too). Decoding and windowing the batch alone (on
 * {@code parallelism} threads) is timed too: the pipeline does it as well, so {@code e2e/(dec+bare)}
 * shows what the pipeline adds beyond its two real stages. Run the JVM with
 * {@code -XX:TieredStopAtLevel=1} to measure as {@code ./humpback encode} runs (C1 only); without it, as
 * a worker (tiered: C2's compile threads take CPU from the first runs). Pipeline runs (one JVM, this one): the
 * direct runner and Flink {@code [local]} at parallelism 2, and a remote Flink master when
 * {@code --flink-master host:port} is given, each through {@link EncodingPipeline#run} (the product's
 * run of a job batch: plan, encode, Parquet, outcomes). After one untimed round (class loading, the
 * mini cluster's start), each round runs bare, then each runner, back to back; the ratios are per
 * round and the table shows their median and range. {@code --cli true} also times the whole
 * command {@code ./humpback encode FOLDER} (a new JVM, a new data folder each run) on a folder of the
 * batch's distinct files (the command imports a recording once, by its SHA-256), against bare
 * inference on those files' windows, measured next to it. The load average is printed per row.
 *
 * <p>Usage (from the project root): {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.BatchEncodingBenchmark [--corpus DIR] [--minutes 30] [--rounds 3] [--parallelism 2]
 * [--runners direct,flink|none] [--flink-master host:port] [--cli true|false] [--work DIR]}
 */
public final class BatchEncodingBenchmark {

  private BatchEncodingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    Path corpus = Path.of(opt.getOrDefault("corpus", "../shared/corpus/audio/humpback")).toAbsolutePath().normalize();
    double minutes = Double.parseDouble(opt.getOrDefault("minutes", "30"));
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
    int par = Integer.parseInt(opt.getOrDefault("parallelism", "2"));
    String runnerList = opt.getOrDefault("runners", "direct,flink");
    List<String> runners = new ArrayList<>(runnerList.equals("none") ? List.of() : List.of(runnerList.split(",")));
    String remote = opt.get("flink-master");
    boolean cli = Boolean.parseBoolean(opt.getOrDefault("cli", "false"));
    Path model = Path.of(opt.getOrDefault("model", "models/yamnet/yamnet.tflite")).toAbsolutePath().normalize();
    Path work = Path.of(opt.getOrDefault("work", "examples/target/batch-encoding-bench")).toAbsolutePath();
    if (!Files.isDirectory(corpus)) {
      throw new IllegalArgumentException("Invalid --corpus: " + corpus + " is not a folder (the shared corpus is missing?)");
    }
    if (rounds < 1 || par < 1 || !(minutes > 0)) {
      throw new IllegalArgumentException("Invalid --rounds, --parallelism or --minutes: " + rounds + ", " + par + ", " + minutes);
    }
    if (remote != null) {
      runners.add("flink@" + remote);
    }
    EncodingBenchmark.deleteTree(work);
    Files.createDirectories(work);

    List<Path> batch = batch(corpus, minutes * 60, work.resolve("batch"));
    ModelConfig mc = EncodingBenchmark.modelConfig(model).withBatchSize(16).withThreads(1);
    double audioSeconds = 0;
    for (Path f : batch) {
      audioSeconds += AudioDecoder.probe(f).durationSeconds();
    }
    List<float[]> windows = new ArrayList<>();
    decode(batch, par, windows);
    boolean c1 = ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:TieredStopAtLevel=1");
    System.out.printf(Locale.ROOT, "BatchEncodingBenchmark: %d files, %.1f min of audio, %d windows (YAMNet, 16 kHz waveform,"
        + " 0.975-s windows, batch 16), parallelism %d, %d cores, JIT %s; %s; load average %s%n",
        batch.size(), audioSeconds / 60, windows.size(), par, Runtime.getRuntime().availableProcessors(),
        c1 ? "C1 only (as ./humpback encode)" : "tiered (as a worker)", java.time.Instant.now(), EncodingBenchmark.loadAverage());

    String sig = EncodingSignature.compute("yamnet", EncodingSignature.modelChecksum(model), mc, EncodingBenchmark.FRONT_END);
    List<EncodingPipeline.Input> inputs = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      inputs.add(new EncodingPipeline.Input("f" + i, batch.get(i).toString(), "0".repeat(64)));
    }

    // Untimed first round: classes load, Flink's [local] mini cluster starts.
    Timing warm = bare(mc, windows, par);
    System.out.printf(Locale.ROOT, "untimed first round: bare %.2f s", warm.wall);
    for (String r : runners) {
      System.out.printf(Locale.ROOT, ", %s %.2f s", r, pipeline(r, par, mc, sig, inputs, work, windows.size()).wall);
    }
    System.out.println();

    // runner -> per round {wall, cpu, wall / bare, cpu / bare, wall / (decode + bare)}
    Map<String, List<double[]>> rows = new LinkedHashMap<>();
    List<Double> bareWalls = new ArrayList<>();
    List<Double> bareCpus = new ArrayList<>();
    List<Double> decodeWalls = new ArrayList<>();
    List<Double> decodeCpus = new ArrayList<>();
    for (int k = 0; k < rounds; k++) {
      Timing d = decode(batch, par, new ArrayList<>());
      decodeWalls.add(d.wall);
      decodeCpus.add(d.cpu);
      Timing b = bare(mc, windows, par);
      bareWalls.add(b.wall);
      bareCpus.add(b.cpu);
      for (String r : runners) {
        Timing t = pipeline(r, par, mc, sig, inputs, work, windows.size());
        rows.computeIfAbsent(r, x -> new ArrayList<>())
            .add(new double[] {t.wall, t.cpu, t.wall / b.wall, t.cpu / b.cpu, t.wall / (d.wall + b.wall)});
      }
    }
    String load = EncodingBenchmark.loadAverage();
    System.out.printf("%-24s %8s %8s %10s %9s %9s %12s %9s %14s  %s%n", "run", "wall_s", "cpu_s", "x_realtime", "bare_s",
        "e2e/bare", "(range)", "cpu/bare", "e2e/(dec+bare)", "load_avg");
    double bareWall = median(bareWalls);
    System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %10.0f %9s %9s %12s %9s %14s  %s%n", "bare inference", bareWall,
        median(bareCpus), audioSeconds / bareWall, "", "", "", "", "", load);
    System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %10.0f %9s %9s %12s %9s %14s  %s%n", "decode+window alone",
        median(decodeWalls), median(decodeCpus), audioSeconds / median(decodeWalls), "", "", "", "", "", load);
    for (Map.Entry<String, List<double[]>> e : rows.entrySet()) {
      double[] ratios = e.getValue().stream().mapToDouble(x -> x[2]).sorted().toArray();
      double wall = median(e.getValue().stream().map(x -> x[0]).toList());
      System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %10.0f %9.2f %9.2f %12s %9.2f %14.2f  %s%n", e.getKey() + " p=" + par, wall,
          median(e.getValue().stream().map(x -> x[1]).toList()), audioSeconds / wall, bareWall, median(ratios),
          String.format(Locale.ROOT, "(%.2f-%.2f)", ratios[0], ratios[ratios.length - 1]),
          median(e.getValue().stream().map(x -> x[3]).toList()), median(e.getValue().stream().map(x -> x[4]).toList()), load);
    }
    if (cli) {
      cliRows(batch, work, mc, par, rounds);
    }
    System.exit(0); // Flink's mini cluster leaves non-daemon threads
  }

  /** Wall and CPU seconds of one timed piece of work (CPU: this process's, all threads). */
  record Timing(double wall, double cpu) {}

  static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /**
   * The batch: the corpus's audio files (sorted), listed again under new names (symbolic links in
   * {@code dir}) until they hold {@code seconds} of audio.
   */
  static List<Path> batch(Path corpus, double seconds, Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(corpus)) {
      files = s.filter(f -> f.getFileName().toString().matches(".*\\.(wav|mp3|ogg|oga|flac)")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Invalid --corpus: no audio files in " + corpus);
    }
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    double total = 0;
    for (int i = 0; total < seconds; i++) {
      Path src = files.get(i % files.size());
      Path link = dir.resolve(String.format("%03d-%s", i, src.getFileName()));
      Files.createSymbolicLink(link, src);
      out.add(link);
      total += AudioDecoder.probe(src).durationSeconds();
    }
    return out;
  }

  /**
   * Decodes and windows every file of the batch on {@code par} threads (a file each in turn), adding
   * the windows to {@code into} in batch order: the decode stage alone, for comparison.
   */
  static Timing decode(List<Path> batch, int par, List<float[]> into) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(par);
    try {
      double cpu0 = processCpuSeconds();
      long t0 = System.nanoTime();
      List<Future<List<float[]>>> perFile = new ArrayList<>();
      for (Path f : batch) {
        perFile.add(pool.submit(() -> windowsOf(f)));
      }
      for (Future<List<float[]>> w : perFile) {
        into.addAll(w.get());
      }
      return new Timing((System.nanoTime() - t0) / 1e9, processCpuSeconds() - cpu0);
    } finally {
      pool.shutdown();
    }
  }

  /** Every window of one file as the product cuts it (one shard: the windows are the same). */
  static List<float[]> windowsOf(Path f) throws Exception {
    List<float[]> out = new ArrayList<>();
    try (AudioDecoder d = AudioDecoder.open(f, EncodingBenchmark.FRONT_END.sampleRate(), 0)) {
      Windower w = Windower.overShard("bench", d, EncodingBenchmark.FRONT_END, 0, AudioShard.OPEN_ENDED);
      for (AudioWindow a = w.next(); a != null; a = w.next()) {
        out.add(a.samples());
      }
    }
    return out;
  }

  /** The model alone: {@code par} instances, one thread each, batches of 16 taken in turn; load and first call included. */
  static Timing bare(ModelConfig mc, List<float[]> windows, int par) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(par);
    try {
      double cpu0 = processCpuSeconds();
      long t0 = System.nanoTime();
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> done = new ArrayList<>();
      for (int k = 0; k < par; k++) {
        done.add(pool.submit(() -> {
          try (EmbeddingModel m = EmbeddingModels.open(mc)) {
            for (int i = next.getAndAdd(16); i < windows.size(); i = next.getAndAdd(16)) {
              m.embed(windows.subList(i, Math.min(windows.size(), i + 16)).toArray(new float[0][]));
            }
          }
          return null;
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
      return new Timing((System.nanoTime() - t0) / 1e9, processCpuSeconds() - cpu0);
    } finally {
      pool.shutdown();
    }
  }

  /** One run of the product's encoding pipeline over the batch, into a new folder. */
  static Timing pipeline(String runner, int par, ModelConfig mc, String sig, List<EncodingPipeline.Input> inputs, Path work,
      long expectedWindows) {
    boolean flink = runner.startsWith("flink");
    String master = runner.startsWith("flink@") ? runner.substring("flink@".length()) : "[local]";
    Path out = work.resolve("out-" + runner.replaceAll("[^A-Za-z0-9]", "_"));
    try {
      EncodingBenchmark.deleteTree(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    EncodingSpec spec = new EncodingSpec("yamnet", "yamnet", mc, EncodingBenchmark.FRONT_END, sig,
        out.resolve("embeddings").toString(), Map.of());
    double cpu0 = processCpuSeconds();
    long t0 = System.nanoTime();
    EncodingOptions o = EncodingPipeline.options(flink ? "flink" : "direct", master, par, false);
    EncodingPipeline.Result r = EncodingPipeline.run(o, spec, inputs, out.resolve("run"));
    Timing t = new Timing((System.nanoTime() - t0) / 1e9, processCpuSeconds() - cpu0);
    if (!r.allOk() || r.windows() != expectedWindows) {
      throw new IllegalStateException(runner + ": " + r.windows() + " windows written, expected " + expectedWindows
          + "; " + r.files().stream().filter(f -> !f.isOk()).limit(3).toList());
    }
    return t;
  }

  /**
   * {@code ./humpback encode FOLDER}, the whole command, each run with a new data folder (nothing
   * to skip), against bare inference of the same windows measured just before it; one untimed
   * command first (it builds the launcher's class cache).
   */
  static void cliRows(List<Path> batch, Path work, ModelConfig mc, int par, int rounds) throws Exception {
    // encode imports each recording once (by its SHA-256): the command gets the batch's distinct files.
    Path folder = work.resolve("cli-batch");
    Files.createDirectories(folder);
    java.util.Set<Path> seen = new java.util.HashSet<>();
    double audioSeconds = 0;
    List<float[]> windows = new ArrayList<>();
    for (Path f : batch) {
      if (seen.add(f.toRealPath())) {
        Files.createSymbolicLink(folder.resolve(f.getFileName()), f.toRealPath());
        audioSeconds += AudioDecoder.probe(f).durationSeconds();
        windows.addAll(windowsOf(f));
      }
    }
    System.out.printf(Locale.ROOT, "./humpback encode DIR: %d distinct files, %.1f min, %d windows%n", seen.size(),
        audioSeconds / 60, windows.size());
    List<double[]> runs = new ArrayList<>();
    for (int k = -1; k < rounds; k++) {
      Timing b = bare(mc, windows, par);
      Path data = work.resolve("cli-data");
      EncodingBenchmark.deleteTree(data);
      ProcessBuilder pb = new ProcessBuilder("./humpback", "encode", folder.toString(), "--parallelism", String.valueOf(par))
          .redirectErrorStream(true).redirectOutput(work.resolve("cli-" + k + ".log").toFile());
      pb.environment().put("HUMPBACK_STORAGE_ROOT", data.toString());
      pb.environment().put("HUMPBACK_SKIP_BUILD", "1");
      long t0 = System.nanoTime();
      int code = pb.start().waitFor();
      double wall = (System.nanoTime() - t0) / 1e9;
      if (code != 0) {
        throw new IllegalStateException("./humpback encode exited with " + code + ": see " + work.resolve("cli-" + k + ".log"));
      }
      if (k >= 0) {
        runs.add(new double[] {wall, b.wall, wall / b.wall});
      }
    }
    double[] ratios = runs.stream().mapToDouble(x -> x[2]).sorted().toArray();
    double wall = median(runs.stream().map(x -> x[0]).toList());
    System.out.printf(Locale.ROOT, "%-24s %8.2f %8s %10.0f %9.2f %9.2f %12s %9s  %s%n", "./humpback encode DIR", wall, "",
        audioSeconds / wall, median(runs.stream().map(x -> x[1]).toList()), median(ratios),
        String.format(Locale.ROOT, "(%.2f-%.2f)", ratios[0], ratios[ratios.length - 1]), "", EncodingBenchmark.loadAverage());
  }

  static double median(List<Double> xs) {
    return median(xs.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static double median(double[] xs) {
    double[] a = xs.clone();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Unexpected argument: " + args[i] + " (options are --name value)");
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }
}
