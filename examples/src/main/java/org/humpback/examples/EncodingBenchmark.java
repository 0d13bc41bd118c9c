package org.humpback.examples;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.pipelines.EncodingOptions;
import org.humpback.pipelines.EncodingPipeline;
import org.humpback.pipelines.EncodingSignature;
import org.humpback.pipelines.EncodingSpec;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.WindowPlan;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelPreset;
import org.humpback.transforms.model.ModelPresets;
import org.humpback.transforms.model.ModelType;

/**
 * Encoding throughput, end to end, on generated long recordings with the shipped YAMNet TFLite
 * model as the product configures it (the ModelPresets "yamnet" entry: 16 kHz waveform, 0.975-s
 * windows, the 1024-d embedding tensor): for each file length and runner it prints
 * <ul>
 *   <li>end-to-end speed as a multiple of real time (audio seconds / wall seconds),</li>
 *   <li>end-to-end time / the sum of the stages run alone (decode+window, features, inference,
 *       Parquet write) — how much the pipeline machinery costs,</li>
 *   <li>peak RSS (VmHWM) of the process that ran the pipeline: each run is a fresh child JVM with a
 *       fixed heap ({@code --xmx}, default 256m), so RSS reflects what the pipeline holds rather than
 *       how lazily a large default heap is collected; a run that runs out of heap is reported FAILED.</li>
 * </ul>
 * Three rows per runner, each from new child JVMs that run the job twice:
 * <ul>
 *   <li>{@code cold}: the first run in a JVM that has done nothing else (Beam, the runner and Flink's
 *       mini cluster start up, classes load and compile on the run's clock);</li>
 *   <li>{@code first}: the first run in a JVM that first hashed the input file for its import, as
 *       {@code ./humpback encode} does (the hash is not timed) — what a user of {@code encode} or a
 *       {@code worker}'s first job waits;</li>
 *   <li>{@code warm}: the second run of the {@code cold} JVM, what a long-lived {@code ./humpback
 *       worker} pays for every job after its first.</li>
 * </ul>
 * Children start with the class cache the {@code ./humpback} launcher keeps (JDK 25+: an AOT cache;
 * older: a class-data archive; made by a first, untimed child run; {@code --cds off} to leave it out)
 * and with the JIT of {@code ./humpback encode}, C1 only ({@code --jit tiered}: the default JIT a
 * worker keeps). With {@code --repeat N} each row is the median of N children, followed by the range
 * of their ratios; peak RSS is the largest.
 * Stages alone (see {@link #stagesAlone}; each stage's fastest of three runs): each at the pipeline's parallelism (cores) with the
 * pipeline's own shards and model config; decode+window over the whole file; inference on the
 * first {@code --sample-windows} windows, scaled by the window count (its cost per window is
 * constant); the Parquet write over the real row count. The load average is printed per row: other
 * processes on the machine inflate the end-to-end time measured after the stages.
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.EncodingBenchmark [--hours 1,6] [--runners direct,flink] [--model PATH]
 * [--work DIR] [--sample-windows 1500] [--xmx 256m] [--timeout-s 900] [--cds on|off] [--repeat N] [--hybrid-kernels false|true] [--jit c1|tiered]}
 */
public final class EncodingBenchmark {

  static final ModelPreset PRESET = ModelPresets.byKey("yamnet").orElseThrow();

  static final FrontEndConfig FRONT_END = FrontEndConfig.defaults()
      .withSampleRate(PRESET.sampleRate()).withWindowSeconds(PRESET.windowSeconds()).withFeatures(FeatureType.WAVEFORM);

  /** The model as the registry configures the shipped YAMNet (its embedding tensor). */
  /**
   * {@code --jit c1} (default): children run with C1 only ({@code -XX:TieredStopAtLevel=1}), as
   * {@code ./humpback encode} and {@code demo} do; {@code tiered}: the JVM's default, as a
   * {@code ./humpback worker} runs (its clustering jobs are Java loops C2 speeds up).
   */
  static String jit = "c1";

  /** {@code --hybrid-kernels true}: YAMNet's int8 layers on TFLite's hybrid kernels instead of in float. */
  static boolean hybridKernels = Boolean.getBoolean("humpback.bench.hybridKernels");

  static ModelConfig modelConfig(Path model) {
    return ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(PRESET.outputName()).withHybridKernels(hybridKernels);
  }

  private EncodingBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      child(args);
      return;
    }
    Map<String, String> opt = options(args);
    double[] hours = Arrays.stream(opt.getOrDefault("hours", "1,6").split(",")).mapToDouble(Double::parseDouble).toArray();
    List<String> runners = List.of(opt.getOrDefault("runners", "direct,flink").split(","));
    Path model = Path.of(opt.getOrDefault("model", "models/yamnet/yamnet.tflite")).toAbsolutePath().normalize();
    Path work = Path.of(opt.getOrDefault("work", "examples/target/encoding-bench")).toAbsolutePath();
    int sample = Integer.parseInt(opt.getOrDefault("sample-windows", "1500"));
    String xmx = opt.getOrDefault("xmx", "256m");
    timeoutSeconds = Long.parseLong(opt.getOrDefault("timeout-s", "900"));
    cds = !opt.getOrDefault("cds", "on").equals("off");
    hybridKernels = Boolean.parseBoolean(opt.getOrDefault("hybrid-kernels", "false"));
    jit = opt.getOrDefault("jit", "c1");
    if (!jit.equals("c1") && !jit.equals("tiered")) {
      throw new IllegalArgumentException("Invalid --jit: " + jit + " (expected c1 or tiered)");
    }
    int repeat = Integer.parseInt(opt.getOrDefault("repeat", "1"));
    if (repeat < 1) {
      throw new IllegalArgumentException("Invalid --repeat: " + repeat + " (expected >= 1)");
    }
    List<String> fuse = List.of(opt.getOrDefault("fuse", "true").split(","));
    int par = Runtime.getRuntime().availableProcessors();
    if (!Files.exists(model)) {
      throw new IllegalArgumentException("Invalid --model: " + model + " does not exist");
    }
    Files.createDirectories(work);
    System.out.printf("EncodingBenchmark: YAMNet TFLite %s (output %s), 16 kHz waveform, 0.975-s windows; %d cores;"
        + " child -Xmx%s, JIT %s, class cache: %s, %s; %s; load average %s%n", model, PRESET.outputName(), par, xmx,
        jit.equals("c1") ? "C1 only (as ./humpback encode)" : "tiered (as ./humpback worker)", !cds ? "off" : AOT_CACHE ? "AOT cache" : "class-data archive", hybridKernels ? "hybrid int8 kernels" : "int8 layers in float", java.time.Instant.now(), loadAverage());
    if (cds) {
      // The cache ./humpback would have after its first command: one untimed run of each runner.
      // Caches of earlier builds go first: the JVM neither uses nor rewrites a cache whose jars changed.
      Path clip = work.resolve("cds-warmup.wav");
      generate(clip, 20, 16000);
      for (String runner : runners) {
        Files.deleteIfExists(classCache(work, runner));
        runChild(runner, clip, model, work, xmx, true, false);
      }
    }
    System.out.printf("%-6s %-7s %-6s %-5s %8s %9s %10s %10s %9s %6s %10s  %s%n",
        "hours", "runner", "fused", "run", "windows", "e2e_s", "x_realtime", "stages_s", "e2e/sum", "dim", "peak_rss", "load_avg");
    for (double h : hours) {
      Path wav = work.resolve(String.format("synthetic-%.2fh.wav", h));
      if (!Files.exists(wav)) {
        generate(wav, h * 3600, 16000);
      }
      // Each stage's fastest of three: the smallest sum, so the ratio errs high rather than with the noise.
      Stages alone = stagesAlone(wav, model, sample, work, par);
      for (int i = 1; i < 3; i++) {
        alone = alone.fastest(stagesAlone(wav, model, sample, work, par));
      }
      for (String runner : runners) {
        for (String f : fuse) {
          List<ChildResult> runs = new ArrayList<>();
          List<ChildResult> preparedRuns = new ArrayList<>();
          for (int rep = 0; rep < repeat; rep++) {
            ChildResult r = runChild(runner, wav, model, work, xmx, Boolean.parseBoolean(f), false);
            if (r != null) {
              runs.add(r);
            }
            r = runChild(runner, wav, model, work, xmx, Boolean.parseBoolean(f), true);
            if (r != null) {
              preparedRuns.add(r);
            }
          }
          double audioSeconds = h * 3600;
          if (runs.isEmpty() || preparedRuns.isEmpty()) {
            System.out.printf("%-6.2f %-7s %-6s FAILED (see above)  %s%n", h, runner, f, loadAverage());
            continue;
          }
          String load = loadAverage();
          ChildResult r = runs.get(0);
          long rss = java.util.stream.Stream.concat(runs.stream(), preparedRuns.stream()).mapToLong(ChildResult::vmhwmKb)
              .max().orElse(0);
          for (int k = 0; k < 3; k++) {
            final int kk = k;
            double[] all = (k == 1 ? preparedRuns : runs).stream()
                .mapToDouble(c -> kk == 2 ? c.warmSeconds : c.coldSeconds).sorted().toArray();
            double med = all[all.length / 2];
            String spread = all.length == 1 ? "" : String.format("  (%d runs: %.2f-%.2f)", all.length,
                all[0] / alone.total(), all[all.length - 1] / alone.total());
            System.out.printf("%-6.2f %-7s %-6s %-5s %8d %9.1f %10.1f %10.1f %9.2f %6d %9.0fM  %s%s%n", h, runner, f,
                RUN_NAMES[k], r.windows, med, audioSeconds / med, alone.total(),
                med / alone.total(), r.dim, rss / 1024.0, load, spread);
          }
        }
      }
      System.out.printf("       stages alone for %.2f h at parallelism %d: decode+window %.1f s, features %.1f s,"
          + " inference %.1f s (of which model load + warm-up %.1f s), parquet %.1f s%n",
          h, par, alone.decode, alone.features, alone.inference, alone.modelLoad, alone.write);
    }
  }

  /** The pipeline's shard length (EncodingOptions' default maxShardSeconds). */
  static final double SHARD_SECONDS = 300;

  record Stages(double decode, double features, double inference, double modelLoad, double write) {
    double total() {
      return decode + features + inference + write;
    }

    /** Each stage's faster time of the two measurements. */
    Stages fastest(Stages o) {
      return new Stages(Math.min(decode, o.decode), Math.min(features, o.features), Math.min(inference, o.inference),
          Math.min(modelLoad, o.modelLoad), Math.min(write, o.write));
    }
  }

  record ChildResult(double coldSeconds, double warmSeconds, long windows, int dim, long vmhwmKb) {}

  /** The three rows per runner: see the class comment. */
  static final String[] RUN_NAMES = {"cold", "first", "warm"};

  /**
   * Each stage run alone, at the pipeline's parallelism {@code par} (one worker thread per core on
   * the direct runner, Flink parallelism 2 here), with what the pipeline uses: the same 300-s shards
   * decoded from their own start, the same model config (batch size 16, 1 intra-op thread per
   * instance, one instance per worker). So the sum is the wall time of a perfect pipeline that
   * adds nothing but runs the stages one after the other.
   */
  static Stages stagesAlone(Path wav, Path model, int sample, Path work, int par) throws Exception {
    long perShard = (long) Math.floor(SHARD_SECONDS * FRONT_END.sampleRate() / FRONT_END.hopSamples());
    long estimated = WindowPlan.of(Math.round(AudioDecoder.probe(wav).durationSeconds() * FRONT_END.sampleRate()),
        FRONT_END).count();
    int shards = (int) ((estimated + perShard - 1) / perShard);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(par);
    List<AudioWindow> first = java.util.Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    List<java.util.concurrent.Future<Long>> counts = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      long from = i * perShard;
      long to = i == shards - 1 ? AudioShard.OPEN_ENDED : from + perShard;
      counts.add(pool.submit(() -> {
        long n = 0;
        try (AudioDecoder d = AudioDecoder.open(wav, 16000, Windower.shardStartSeconds(FRONT_END, from))) {
          Windower w = Windower.overShard("bench", d, FRONT_END, from, to);
          for (AudioWindow a = w.next(); a != null; a = w.next()) {
            if (from == 0 && n < sample) {
              first.add(a);
            }
            n++;
          }
        }
        return n;
      }));
    }
    long windows = 0;
    for (var c : counts) {
      windows += c.get();
    }
    double decode = (System.nanoTime() - t0) / 1e9;
    double scale = (double) windows / first.size();
    // Waveform features are the window itself (checked for length, not copied), as in the pipeline.
    double features = 0;

    ModelConfig mc = modelConfig(model).withBatchSize(16).withThreads(1);
    float[][] batch = new float[first.size()][];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = first.get(i).samples();
    }
    // Loading the model (and XNNPACK's set-up on the first call) is part of the stage: the pipeline
    // pays it once per worker, in parallel, so it is timed the same way and not scaled.
    t0 = System.nanoTime();
    List<java.util.concurrent.Future<EmbeddingModel>> opening = new ArrayList<>();
    for (int k = 0; k < par; k++) {
      opening.add(pool.submit(() -> {
        EmbeddingModel m = EmbeddingModels.open(mc);
        m.embed(Arrays.copyOf(batch, 16));
        return m;
      }));
    }
    List<EmbeddingModel> models = new ArrayList<>();
    for (var o : opening) {
      models.add(o.get());
    }
    double load = (System.nanoTime() - t0) / 1e9;
    int[] dims = new int[1];
    t0 = System.nanoTime();
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (int k = 0; k < par; k++) {
      EmbeddingModel m = models.get(k);
      int from = batch.length * k / par / 16 * 16;
      int to = k == par - 1 ? batch.length : batch.length * (k + 1) / par / 16 * 16;
      done.add(pool.submit(() -> {
        for (int i = from; i < to; i += 16) {
          dims[0] = m.embed(Arrays.copyOfRange(batch, i, Math.min(to, i + 16)))[0].length;
        }
        return null;
      }));
    }
    for (var d : done) {
      d.get();
    }
    double inference = load + (System.nanoTime() - t0) / 1e9 * scale;
    for (EmbeddingModel m : models) {
      m.close();
    }
    pool.shutdown();
    int dim = dims[0];

    Random r = new Random(1);
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = r.nextFloat();
    }
    long n = windows;
    Iterator<EmbeddingParquet.Row> rows = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public EmbeddingParquet.Row next() {
        int k = i++;
        return new EmbeddingParquet.Row(k, k * 0.975, k * 0.975 + 0.975, v.clone());
      }
    };
    t0 = System.nanoTime();
    Path out = work.resolve("stage-alone.parquet");
    EmbeddingParquet.write(out.toString(), new EmbeddingParquet.Metadata("yamnet", "yamnet", "0".repeat(64), FRONT_END.toCanonicalJson(),
        "0".repeat(64), dim, "bench"), rows);
    double write = (System.nanoTime() - t0) / 1e9;
    Files.deleteIfExists(out);
    return new Stages(decode, features, inference, load, write);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** {@code --timeout-s}: a child that takes longer is stopped. */
  static long timeoutSeconds = 900;

  /** Whether children start with the launcher's class cache ({@link #classCache}). */
  static boolean cds = true;

  /**
   * The class cache children start with, as ./humpback keeps one: on JDK 25+ an AOT cache (classes
   * loaded and linked ahead of time), before that a dynamic class-data archive.
   */
  static Path classCache(Path work, String runner) {
    return work.resolve("humpback-" + runner + (AOT_CACHE ? ".aot" : ".jsa"));
  }

  static final boolean AOT_CACHE = Runtime.version().feature() >= 25;

  /** One child JVM with a fixed heap that runs the job twice ({@link #child}); null (and its log printed) when it fails. */
  static ChildResult runChild(String runner, Path wav, Path model, Path work, String xmx, boolean fuse, boolean prepared)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + xmx, "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "-Djava.io.tmpdir=" + work, "-Dhumpback.bench.hybridKernels=" + hybridKernels));
    if (jit.equals("c1")) {
      cmd.add("-XX:TieredStopAtLevel=1");
    }
    if (cds) {
      Path cache = classCache(work, runner);
      if (!AOT_CACHE) {
        cmd.addAll(List.of("-XX:SharedArchiveFile=" + cache, "-XX:+AutoCreateSharedArchive", "-Xlog:cds*=off"));
      } else {
        // The first (untimed) child records the cache as it exits; the others map it.
        cmd.addAll(List.of((Files.exists(cache) ? "-XX:AOTCache=" : "-XX:AOTCacheOutput=") + cache, "-Xlog:aot*=off",
            "-Xlog:cds*=off"));
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        EncodingBenchmark.class.getName(), "child", runner, wav.toString(), model.toString(), work.toString(),
        String.valueOf(fuse), String.valueOf(prepared)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    // A runner thread that dies of OutOfMemoryError can leave the direct runner waiting forever:
    // children exit on OOM, and a watchdog ends a run that takes longer than --timeout-s.
    Thread watchdog = new Thread(() -> {
      try {
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
          System.out.println("The " + runner + " run (fused=" + fuse + ") took over " + timeoutSeconds + " s: stopped");
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "benchmark-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    ChildResult result = null;
    StringBuilder log = new StringBuilder();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          String[] f = line.split(" ");
          result = new ChildResult(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Long.parseLong(f[3]),
              Integer.parseInt(f[4]), Long.parseLong(f[5]));
        } else {
          log.append(line).append('\n');
        }
      }
    }
    int code = p.waitFor();
    if (result == null || code != 0) {
      String text = log.toString();
      System.out.println("The " + runner + " run (fused=" + fuse + ", -Xmx" + xmx + ") failed (exit " + code + "): "
          + (text.contains("OutOfMemoryError") ? "OutOfMemoryError" : text.substring(Math.max(0, text.length() - 2000))));
      return null;
    }
    return result;
  }

  /**
   * Runs the same job twice in this (fresh) JVM, the second time into a new output folder, and
   * prints {@code RESULT cold_seconds warm_seconds windows dim vmhwm_kb}. {@code prepared}: first
   * as {@code ./humpback encode} does before its first job: the input file is hashed for its import.
   */
  static void child(String[] a) throws Exception {
    String runner = a[1];
    Path wav = Path.of(a[2]);
    Path model = Path.of(a[3]);
    ModelConfig mc = modelConfig(model);
    String sig = EncodingSignature.compute("yamnet", EncodingSignature.modelChecksum(model), mc, FRONT_END);
    double[] seconds = new double[2];
    if (Boolean.parseBoolean(a[6])) {
      EncodingSignature.fileSha256(wav);
    }
    EncodingPipeline.Result r = null;
    for (int k = 0; k < 2; k++) {
      Path work = Path.of(a[4]).resolve("out-" + runner + "-" + k);
      deleteTree(work);
      EncodingSpec spec = new EncodingSpec("yamnet", "yamnet", mc, FRONT_END, sig, work.resolve("embeddings").toString(), Map.of());
      EncodingOptions o = EncodingPipeline.options(runner, "[local]", runner.equals("flink") ? 2 : null, false);
      long t0 = System.nanoTime();
      r = EncodingPipeline.run(o, spec, List.of(new EncodingPipeline.Input("bench", wav.toString(), "0".repeat(64))),
          work.resolve("run"));
      seconds[k] = (System.nanoTime() - t0) / 1e9;
      if (!r.allOk()) {
        throw new IllegalStateException("encoding failed: " + r.files());
      }
    }
    System.out.println("RESULT " + seconds[0] + " " + seconds[1] + " " + r.windows() + " " + r.files().get(0).vectorDim()
        + " " + vmhwmKb());
    System.exit(0); // Flink's mini cluster leaves non-daemon threads
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static long vmhwmKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** A synthetic recording: song-like frequency sweeps over low noise, 16-bit mono WAV, written streaming. */
  static void generate(Path wav, double seconds, int rate) throws IOException {
    long n = Math.round(seconds * rate);
    Random r = new Random(42);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(wav), 1 << 20)) {
      ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
      h.put("RIFF".getBytes()).putInt((int) Math.min(0xFFFFFFFFL, 36 + 2 * n)).put("WAVE".getBytes());
      h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
          .putShort((short) 2).putShort((short) 16);
      h.put("data".getBytes()).putInt((int) (2 * n));
      out.write(h.array());
      ByteBuffer b = ByteBuffer.allocate(2 * rate).order(ByteOrder.LITTLE_ENDIAN);
      double phase = 0;
      for (long i = 0; i < n; i++) {
        double t = (i % (rate * 4)) / (double) rate; // a 4-s "unit" repeated with drifting pitch
        double f = 150 + 400 * t + 50 * Math.sin(i / (double) rate / 60);
        phase += 2 * Math.PI * f / rate;
        double v = 0.25 * Math.sin(phase) * Math.exp(-((t - 2) * (t - 2))) + 0.01 * r.nextGaussian();
        b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
        if (!b.hasRemaining()) {
          out.write(b.array(), 0, b.position());
          b.clear();
        }
      }
      out.write(b.array(), 0, b.position());
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument: " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

}
