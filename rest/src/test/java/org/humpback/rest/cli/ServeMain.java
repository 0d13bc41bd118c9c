package org.humpback.rest.cli;

import java.nio.file.Path;
import java.util.Map;
import org.humpback.registry.config.HumpbackSettings;

/**
 * {@code serve} (API and in-process workers) over {@code <home>/data} and {@code <home>/humpback.db}, as a child
 * process of a test ({@link ChildServe}). Prints {@code PORT n} and serves until its stdin closes or it is killed.
 */
public final class ServeMain {

  private ServeMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    HumpbackSettings settings = HumpbackSettings.fromEnv(Map.of(
        "HUMPBACK_HOME", home.toString(),
        "HUMPBACK_PORT", "0",
        "HUMPBACK_STORAGE_ROOT", home.resolve("data").toString(),
        "HUMPBACK_MODELS_DIR", home.resolve("models").toString(),
        "HUMPBACK_DATABASE_URL", "jdbc:sqlite:" + home.resolve("humpback.db")), home);
    try (ApiCommand.Running running = ApiCommand.start(settings, true)) {
      System.out.println("PORT " + running.server().port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the test closes our stdin
      }
    }
    System.exit(0);
  }
}
