package org.humpback.rest.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.humpback.app.Humpback;

/**
 * One {@code ./humpback <command>} as a separate JVM, the way the launcher runs it (the product's entry point and
 * JVM options), as a "host": its own working directory, temp folder and {@code HUMPBACK_HOME}, and only the
 * {@code HUMPBACK_*} variables the test gives (none inherited). Its standard output is collected line by line;
 * its standard error goes to {@code <home>/<name>.log}.
 */
final class HumpbackProcess implements AutoCloseable {

  final String name;
  final Path home;
  final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private HumpbackProcess(String name, Path home, Process process) {
    this.name = name;
    this.home = home;
    this.process = process;
    Thread reader = new Thread(this::pump, "read-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code humpback args...} in {@code home} (created) with {@code HUMPBACK_HOME=home} and {@code env}.
   */
  static HumpbackProcess start(String name, Path home, Map<String, String> env, String... args) throws IOException {
    Files.createDirectories(home.resolve("tmp"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "-Djava.io.tmpdir=" + home.resolve("tmp"), "-cp", System.getProperty("java.class.path"),
        Humpback.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
        .redirectError(home.resolve(name + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HUMPBACK_"));
    pb.environment().put("HUMPBACK_HOME", home.toString());
    pb.environment().putAll(env);
    return new HumpbackProcess(name, home, pb.start());
  }

  /** The next line of standard output within {@code seconds}, or null (the process ended, or said nothing). */
  String nextLine(double seconds) throws InterruptedException {
    String line = lines.poll(Math.round(seconds * 1000), TimeUnit.MILLISECONDS);
    if (line != null) {
      synchronized (seen) {
        seen.add(line);
      }
    }
    return line;
  }

  /** Every line of standard output so far. */
  List<String> output() {
    synchronized (seen) {
      List<String> more = new ArrayList<>();
      lines.drainTo(more);
      seen.addAll(more);
      return List.copyOf(seen);
    }
  }

  /** The last lines of its standard error, for failure messages. */
  String logTail() {
    try {
      String log = Files.readString(home.resolve(name + ".log"));
      return name + ".log: …" + log.substring(Math.max(0, log.length() - 3000));
    } catch (IOException e) {
      return name + ".log unreadable: " + e;
    }
  }

  /** Copies its standard error and output into {@code folder} (for a look after the test), best effort. */
  void keepLogs(Path folder) {
    try {
      Files.createDirectories(folder);
      Files.copy(home.resolve(name + ".log"), folder.resolve(name + ".log"), StandardCopyOption.REPLACE_EXISTING);
      Files.write(folder.resolve(name + ".out"), output());
    } catch (IOException e) {
      // only for reading after a failure
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM (as Ctrl-C or a service manager), then SIGKILL if it has not ended in 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("error reading " + name + "'s output: " + e);
    }
  }
}
