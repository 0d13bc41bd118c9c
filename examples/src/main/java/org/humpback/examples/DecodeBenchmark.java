package org.humpback.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioInfo;

/**
 * Prints how long our decode + downmix + resample to 32 kHz mono takes on one core, against the
 * bundled FFmpeg executable doing the same ({@code ffmpeg -threads 1 -i x.mp3 -ac 1 -ar 32000 -f f32le -},
 * pinned to one CPU with {@code taskset} when available). Goal: ratio <= 1.1.
 *
 * <p>Without an argument it makes {@code target/bench-10min.mp3}: the Glacier Bay corpus recording
 * looped to 10 minutes, encoded as 44.1 kHz stereo 128 kb/s MP3 (a typical field-recorder export).
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.DecodeBenchmark [file.mp3] [repetitions]}
 */
public final class DecodeBenchmark {

  private DecodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    String ffmpeg = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
    Path mp3 = args.length > 0 ? Path.of(args[0]) : makeTenMinuteMp3(ffmpeg);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    AudioInfo info = AudioDecoder.probe(mp3);
    System.out.printf(Locale.ROOT, "DecodeBenchmark: %s (%s/%s, %d Hz, %d ch, %.1f s)%n", mp3, info.container(),
        info.codec(), info.sampleRate(), info.channels(), info.durationSeconds());

    // The machine may be shared: wall times then measure the neighbours, so CPU time (user + sys) is
    // the figure that compares; GNU time reports the child's.
    Path cpuFile = Files.createTempFile("ffmpeg-cpu", ".txt");
    List<String> cli = new ArrayList<>();
    boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
    if (timed) {
      cli.addAll(List.of("/usr/bin/time", "-f", "%U %S", "-o", cpuFile.toString()));
    }
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"));
    if (pinned) {
      cli.addAll(List.of("/usr/bin/taskset", "-c", "0"));
    }
    cli.addAll(List.of(ffmpeg, "-nostdin", "-v", "error", "-threads", "1", "-i", mp3.toString(),
        "-ac", "1", "-ar", "32000", "-f", "f32le", "-"));

    // warm-up: JIT, native library loading, page cache
    long oursSamples = decodeOurs(mp3)[0];
    long cliSamples = runCli(cli)[0] / 4;
    double bestOurs = Double.MAX_VALUE;
    double bestOursCpu = Double.MAX_VALUE;
    double bestOursProcessCpu = Double.MAX_VALUE;
    double bestCli = Double.MAX_VALUE;
    double bestCliCpu = Double.MAX_VALUE;
    for (int r = 0; r < reps; r++) {
      long[] o = decodeOurs(mp3);
      bestOurs = Math.min(bestOurs, o[1] / 1e9);
      bestOursCpu = Math.min(bestOursCpu, o[2] / 1e9);
      bestOursProcessCpu = Math.min(bestOursProcessCpu, o[3] / 1e9);
      long[] c = runCli(cli);
      bestCli = Math.min(bestCli, c[1] / 1e9);
      if (timed) {
        String[] us = Files.readString(cpuFile).trim().split("\\s+");
        bestCliCpu = Math.min(bestCliCpu, Double.parseDouble(us[us.length - 2]) + Double.parseDouble(us[us.length - 1]));
      }
    }
    Files.deleteIfExists(cpuFile);
    System.out.printf(Locale.ROOT, "  samples at 32 kHz: ours %d, ffmpeg CLI %d%n", oursSamples, cliSamples);
    System.out.printf(Locale.ROOT,
        "  ours (AudioDecoder, one thread): %.3f s wall, %.3f s CPU of the decoding thread, %.3f s CPU of the whole JVM (best of %d)%n",
        bestOurs, bestOursCpu, bestOursProcessCpu, reps);
    System.out.printf(Locale.ROOT, "  ffmpeg CLI%s: %.3f s wall, %s CPU user+sys (best of %d)%n    %s%n",
        pinned ? " pinned to CPU 0" : "", bestCli, timed ? String.format(Locale.ROOT, "%.3f s", bestCliCpu) : "n/a",
        reps, String.join(" ", cli.subList(timed ? 5 : 0, cli.size())));
    System.out.printf(Locale.ROOT, "  load average now: %.1f on %d CPUs (wall times are only meaningful when idle)%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "  ratio ours/ffmpeg: %.2fx CPU (JVM total vs ffmpeg; goal <= 1.1x), %.2fx wall; ours %.0fx real time per core%n",
        timed ? bestOursProcessCpu / bestCliCpu : Double.NaN, bestOurs / bestCli, info.durationSeconds() / bestOursCpu);
  }

  /** {samples, wall ns, thread CPU ns, process CPU ns}. */
  private static long[] decodeOurs(Path mp3) throws Exception {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long proc0 = os.getProcessCpuTime();
    long cpu0 = mx.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    float[] buf = new float[65536];
    long n = 0;
    double sink = 0;
    try (AudioDecoder d = AudioDecoder.open(mp3, 32000)) {
      for (int r; (r = d.read(buf, 0, buf.length)) > 0; ) {
        n += r;
        sink += buf[r - 1];
      }
    }
    long wall = System.nanoTime() - t0;
    long cpu = mx.getCurrentThreadCpuTime() - cpu0;
    long proc = os.getProcessCpuTime() - proc0;
    if (Double.isNaN(sink)) {
      System.out.println("(NaN)");
    }
    return new long[] {n, wall, cpu, proc};
  }

  /** {bytes written, wall ns}. */
  private static long[] runCli(List<String> cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long bytes = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = p.getInputStream()) {
      for (int r; (r = in.read(buf)) > 0; ) {
        bytes += r;
      }
    }
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ffmpeg failed: " + cmd);
    }
    return new long[] {bytes, System.nanoTime() - t0};
  }

  private static Path makeTenMinuteMp3(String ffmpeg) throws IOException, InterruptedException {
    Path out = Path.of("target", "bench-10min.mp3");
    if (Files.exists(out)) {
      return out;
    }
    Path src = sharedRoot().resolve("corpus/audio/humpback/glacier-bay-humpback.wav");
    if (!Files.exists(src)) {
      throw new IOException(src + " is absent: pass an MP3 file as the first argument");
    }
    Files.createDirectories(out.getParent());
    Process p = new ProcessBuilder(ffmpeg, "-nostdin", "-y", "-v", "error", "-stream_loop", "-1", "-i", src.toString(),
        "-t", "600", "-ar", "44100", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", out.toString()).inheritIO().start();
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ffmpeg could not make " + out);
    }
    return out;
  }

  private static Path sharedRoot() {
    String env = System.getenv("HUMPBACK_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String prop = System.getProperty("humpback.shared");
    if (prop != null) {
      return Path.of(prop);
    }
    for (Path p : List.of(Path.of("..", "shared"), Path.of("..", "..", "shared"), Path.of("/work/shared"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return Path.of("..", "shared");
  }
}
