package org.humpback.pipelines.cli;

import java.time.Duration;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.db.Database;

/** Settings from the environment and the database they name, shared by the commands. */
record CliContext(HumpbackSettings settings, Database db) implements AutoCloseable {

  static CliContext open() {
    // The launcher points java.io.tmpdir into data/tmp, which a fresh checkout lacks; native
    // libraries (SQLite, FFmpeg, TFLite) unpack there before anything else runs.
    try {
      java.nio.file.Files.createDirectories(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot create the temp folder " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage());
    }
    HumpbackSettings s = HumpbackSettings.fromEnvironment();
    Database db = Database.open(s.databaseUrl(), s.databaseBaseDir(), Database.DEFAULT_POOL_SIZE, Duration.ofSeconds(30));
    return new CliContext(s, db);
  }

  @Override
  public void close() {
    db.close();
  }
}
