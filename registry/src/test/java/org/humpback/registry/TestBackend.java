package org.humpback.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.LocalPostgres;
import org.humpback.registry.db.PostgresUrl;
import org.junit.jupiter.api.Assumptions;

/**
 * The two databases the registry's tests run on (see {@link OnBothBackends}): a fresh SQLite file in
 * the test's folder, or a fresh database on the one PostgreSQL server this test JVM starts on first
 * use ({@link #server()}) and stops when it exits. Without PostgreSQL binaries the PostgreSQL runs
 * are skipped, with the reason.
 */
public enum TestBackend {
  SQLITE,
  POSTGRESQL;

  /** A fresh, migrated database. */
  public Database open(Path dir) {
    return switch (this) {
      case SQLITE -> TestDatabases.open(dir);
      case POSTGRESQL -> Database.open(newDatabase(), 4, Duration.ofSeconds(10));
    };
  }

  /** The URL worker processes open: the SQLite file, or a fresh PostgreSQL database. */
  public String newUrl(Path dir) {
    return switch (this) {
      case SQLITE -> "jdbc:sqlite:" + dir.resolve("humpback.db");
      case POSTGRESQL -> {
        PostgresUrl url = newDatabase();
        yield url.jdbcUrl() + "?user=" + url.user();
      }
    };
  }

  /**
   * A fresh PostgreSQL database with the registry's schema and no rows (skips the test when PostgreSQL is
   * absent): a copy of a template migrated once per JVM, which is much quicker than migrating each one.
   */
  public static PostgresUrl newDatabase() {
    try {
      return server().createDatabase("test", template());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized String template() throws IOException {
    if (template == null) {
      PostgresUrl url = server().createDatabase("template");
      Database.open(url, 2, Duration.ofSeconds(10)).close();
      template = url.jdbcUrl().substring(url.jdbcUrl().lastIndexOf('/') + 1);
    }
    return template;
  }

  private static String template;

  /** The shared server, started on first use; skips the calling test when this machine has no PostgreSQL. */
  public static synchronized LocalPostgres server() {
    Assumptions.assumeTrue(LocalPostgres.findBinaries().isPresent(),
        () -> "PostgreSQL tests skipped: " + LocalPostgres.whereLooked());
    if (server == null) {
      try {
        server = LocalPostgres.start(false);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot start the test PostgreSQL server", e);
      }
      LocalPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-postgres"));
    }
    return server;
  }

  private static LocalPostgres server;

  @Override
  public String toString() {
    return this == SQLITE ? "sqlite" : "postgresql";
  }
}
