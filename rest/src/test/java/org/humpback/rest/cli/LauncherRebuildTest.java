package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's staleness check ({@code needs_build} in {@code ./humpback}, run by bash over a scratch project tree):
 * a change to Java sources, a POM, or the web app's sources, {@code package.json}, {@code package-lock.json} or Vite
 * set-up rebuilds; anything else (data, tests, {@code node_modules}) does not.
 */
class LauncherRebuildTest {

  @TempDir Path tree;

  static final List<String> FILES = List.of("pom.xml", "transforms/pom.xml", "registry/pom.xml", "pipelines/pom.xml",
      "rest/pom.xml", "transforms/src/main/java/A.java", "rest/src/main/webapp/src/main.js",
      "rest/src/main/webapp/public/style.css", "rest/package.json", "rest/package-lock.json", "rest/vite.config.js",
      "rest/scripts/npm-ci-if-stale.mjs", "rest/src/test/java/T.java", "rest/node_modules/.package-lock.json",
      "data/humpback.db", "rest/target/lib/x.jar");

  @Test
  void rebuildsWhenASourcePomOrTheWebAppsNpmSetUpChanges() throws Exception {
    Path launcher = Path.of("").toAbsolutePath().resolveSibling("humpback");
    assumeTrue(Files.isRegularFile(launcher), "skipped: run from the rest module of a humpback checkout");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "skipped: no /bin/bash");
    String launcherText = Files.readString(launcher);
    int start = launcherText.indexOf("needs_build() {");
    int end = launcherText.indexOf("\n}\n", start);
    assertTrue(start >= 0 && end > start, "the launcher has no needs_build function any more: update this test");
    Files.writeString(tree.resolve("check.sh"), "HUMPBACK_HOME=\"$1\"\nAPP_JAR=\"$1/rest/target/humpback.jar\"\n"
        + launcherText.substring(start, end + 3) + "if needs_build; then echo stale; else echo fresh; fi\n");

    Instant built = Instant.now().minusSeconds(3600);
    for (String f : FILES) {
      touch(f, built.minusSeconds(60));
    }
    touch("rest/target/humpback.jar", built);
    assertEquals("fresh", check(), "nothing changed since the build");

    for (String f : List.of("rest/package.json", "rest/package-lock.json", "rest/vite.config.js",
        "rest/scripts/npm-ci-if-stale.mjs", "rest/src/main/webapp/src/main.js", "rest/src/main/webapp/public/style.css",
        "transforms/src/main/java/A.java", "rest/pom.xml", "pom.xml")) {
      touch(f, built.plusSeconds(60));
      assertEquals("stale", check(), f + " changed after the build");
      touch(f, built.minusSeconds(60));
    }
    for (String f : List.of("rest/src/test/java/T.java", "rest/node_modules/.package-lock.json", "data/humpback.db")) {
      touch(f, built.plusSeconds(60));
      assertEquals("fresh", check(), f + " changed: no rebuild needed");
    }
    Files.delete(tree.resolve("rest/target/humpback.jar"));
    assertEquals("stale", check(), "no jar yet");
  }

  private void touch(String relative, Instant time) throws IOException {
    Path p = tree.resolve(relative);
    Files.createDirectories(p.getParent());
    if (!Files.exists(p)) {
      Files.writeString(p, "x");
    }
    Files.setLastModifiedTime(p, FileTime.from(time));
  }

  private String check() throws Exception {
    Process p = new ProcessBuilder("/bin/bash", tree.resolve("check.sh").toString(), tree.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "check timed out");
    return out;
  }
}
