package org.humpback.rest.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve} in a child process ({@link ServeMain}) over a home folder, started and awaited until it listens; it can
 * be stopped (stdin closed) or killed with SIGKILL. {@code wrapper} runs it inside another command (e.g.
 * {@code unshare -m sh -c 'mount …; exec "$@"' sh}).
 */
final class ChildServe implements AutoCloseable {

  /** The child did not print its port: its log's tail says why. */
  static final class StartFailed extends RuntimeException {
    StartFailed(String message) {
      super(message);
    }
  }

  final Process process;
  final int port;
  final Path log;

  private ChildServe(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static ChildServe start(Path home) {
    return start(home, List.of(), home.resolve("serve.log"));
  }

  static ChildServe start(Path home, List<String> wrapper, Path log) {
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ServeMain.class.getName());
    cmd.add(home.toString());
    try {
      Files.createDirectories(home.resolve("models"));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PORT ")) {
          return new ChildServe(p, Integer.parseInt(line.substring(5).trim()), log);
        }
      }
      p.waitFor(5, TimeUnit.SECONDS);
      String err = Files.exists(log) ? Files.readString(log) : "";
      throw new StartFailed("serve did not start: " + err.substring(Math.max(0, err.length() - 500)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  ServeClient client() {
    return new ServeClient(port);
  }

  /** SIGKILL: no shutdown hook, no cleanup. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Closes its stdin (a clean stop), then kills it if it has not stopped within 10 s. */
  @Override
  public void close() throws Exception {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
