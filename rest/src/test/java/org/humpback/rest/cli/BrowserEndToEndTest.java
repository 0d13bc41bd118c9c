package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app end to end in headless Chromium: {@code src/test/e2e/webapp.e2e.mjs} (playwright-core driving Debian's
 * {@code chromium}) uploads two corpus recordings, encodes them with the shipped YAMNet, clusters them and opens the
 * results, all through the page, against {@code serve} (API and workers in one process, as {@code ./humpback serve}
 * runs them) on a free port over a temporary data folder. Screenshots go to {@code target/e2e-screenshots/}.
 *
 * <p>Skipped, with a message, where a piece is missing: {@code ../shared} (the recordings), node or the web app's
 * {@code node_modules} (the build installs them), or a Chromium that starts. When {@code chromium} is absent the test
 * first tries {@code apt-get install -y chromium} (as root, unless {@code HUMPBACK_E2E_INSTALL=0}); installing it
 * also brings libpulse0, which nothing else here needs.
 */
class BrowserEndToEndTest {

  static final String CHROMIUM = "/usr/bin/chromium";

  @TempDir Path home;

  @Test
  void uploadEncodeClusterThenListenLookAndFindSimilarInChromium() throws Exception {
    Path a = SharedCorpus.audio("humpback/glacier-bay-humpback.ogg");
    Path b = SharedCorpus.audio("humpback/HB-ship-SBNMS.wav");
    Path module = Path.of("").toAbsolutePath();
    Path script = module.resolve("src/test/e2e/webapp.e2e.mjs");
    Path shippedModels = module.resolveSibling("models");
    assumeTrue(Files.isRegularFile(script) && Files.isDirectory(shippedModels),
        "skipped: run from the rest module of a humpback checkout (no " + script + ")");
    assumeTrue(run(List.of("node", "--version"), 30) == 0, "skipped: node is not on PATH");
    assumeTrue(Files.isDirectory(module.resolve("node_modules/playwright-core")),
        "skipped: node_modules/playwright-core is missing (the Maven build runs npm ci in rest/)");
    assumeTrue(chromiumStarts() || (installChromium() && chromiumStarts()),
        "skipped: no working " + CHROMIUM + " (apt-get install -y chromium was not possible here or did not give a"
            + " Chromium that starts); install Debian's chromium to run the browser test");

    Path data = home.resolve("data");
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_PORT", "0",
        "HUMPBACK_STORAGE_ROOT", data.toString(),
        "HUMPBACK_MODELS_DIR", shippedModels.toString(),
        "HUMPBACK_DATABASE_URL", "sqlite+aiosqlite:///" + data.resolve("humpback.db")), home);
    Path screenshots = module.resolve("target/e2e-screenshots");
    try (ApiCommand.Running running = ApiCommand.start(settings, true)) {
      ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(module.toFile())
          .redirectErrorStream(true);
      pb.environment().put("BASE_URL", "http://127.0.0.1:" + running.server().port());
      pb.environment().put("AUDIO_FILES", a + File.pathSeparator + b);
      pb.environment().put("SCREENSHOTS", screenshots.toString());
      pb.environment().put("CHROMIUM", CHROMIUM);
      Process p = pb.start();
      String output;
      boolean done;
      try (var in = p.getInputStream()) {
        // The script prints one line per check and ends by itself; its own steps time out after 4 minutes each.
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        done = p.waitFor(30, TimeUnit.SECONDS);
      } finally {
        p.destroyForcibly();
      }
      System.out.println(output);
      assertEquals(0, done ? p.exitValue() : -1, "browser test failed (screenshots in " + screenshots + "):\n"
          + output);
    }
  }

  /** Whether Chromium runs headless here (it may be missing, or present without the libraries it needs). */
  static boolean chromiumStarts() {
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      return false;
    }
    return run(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--dump-dom",
        "about:blank"), 60) == 0;
  }

  /** {@code apt-get install -y chromium} when this is root on a Debian-like system and the install is allowed. */
  static boolean installChromium() {
    if ("0".equals(System.getenv("HUMPBACK_E2E_INSTALL")) || !Files.isExecutable(Path.of("/usr/bin/apt-get"))
        || !"root".equals(System.getProperty("user.name"))) {
      return false;
    }
    System.out.println("BrowserEndToEndTest: " + CHROMIUM + " does not start; trying apt-get install -y chromium");
    if (run(List.of("apt-get", "install", "-y", "-q", "chromium"), 900) == 0) {
      return true;
    }
    // A new machine may have no package lists yet.
    return run(List.of("apt-get", "update", "-q"), 600) == 0
        && run(List.of("apt-get", "install", "-y", "-q", "chromium"), 900) == 0;
  }

  /** Runs a command with its output discarded; its exit code, or -1 when it cannot start or runs too long. */
  static int run(List<String> command, int timeoutSeconds) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
