package org.humpback.registry.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.humpback.registry.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

  @TempDir Path dir;

  @Test
  void urlFormsResolveToFiles() {
    Path base = Path.of("/srv/humpback");
    assertEquals(Path.of("/srv/humpback/data/humpback.db"), Database.resolveFile("sqlite+aiosqlite:///data/humpback.db", base));
    assertEquals(Path.of("/abs/h.db"), Database.resolveFile("sqlite:////abs/h.db", base));
    assertEquals(Path.of("/abs/h.db"), Database.resolveFile("jdbc:sqlite:/abs/h.db?foo=1", base));
    assertEquals(Path.of("/srv/humpback/x/h.db"), Database.resolveFile("x/../x/h.db", base));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Database.resolveFile("postgresql://db/x", base));
    assertTrue(e.getMessage().contains("postgresql://db/x"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Database.resolveFile("jdbc:sqlite::memory:", base));
  }

  @Test
  void opensCreatesParentsRunsMigrationsAndUsesWal() {
    try (Database db = Database.open("sqlite+aiosqlite:///nested/dir/humpback.db", dir, 2, Duration.ofSeconds(5))) {
      assertTrue(Files.exists(dir.resolve("nested/dir/humpback.db")));
      String mode = db.jdbi().withHandle(h -> h.createQuery("PRAGMA journal_mode").mapTo(String.class).one());
      assertEquals("wal", mode);
      int fk = db.jdbi().withHandle(h -> h.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one());
      assertEquals(1, fk);
      int busy = db.jdbi().withHandle(h -> h.createQuery("PRAGMA busy_timeout").mapTo(Integer.class).one());
      assertEquals(5000, busy);
      long tables = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('models', 'audio_files', 'audio_metadata',"
              + " 'processing_jobs', 'embedding_sets', 'clustering_jobs', 'clusters', 'cluster_assignments')")
          .mapTo(Long.class).one());
      assertEquals(8, tables);
    }
    // Reopening finds the schema in place.
    try (Database db = Database.open(dir.resolve("nested/dir/humpback.db").toString())) {
      assertEquals(0L, (long) db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM models").mapTo(Long.class).one()));
    }
  }

  @Test
  void concurrentFirstOpensOfOneFileAllSucceed() throws Exception {
    Path file = dir.resolve("fresh/humpback.db");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    java.util.List<java.util.concurrent.Future<Long>> opens = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      opens.add(pool.submit(() -> {
        try (Database db = Database.open(file.toString(), dir, 2, Duration.ofSeconds(10))) {
          return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM processing_jobs").mapTo(Long.class).one());
        }
      }));
    }
    for (var f : opens) {
      assertEquals(0L, f.get());
    }
    pool.shutdown();
  }

  @Test
  void timestampsAreFixedWidthUtcText() {
    Instant a = Instant.parse("2026-01-02T03:04:05Z");
    Instant b = Instant.parse("2026-01-02T03:04:05.5Z");
    assertEquals("2026-01-02T03:04:05.000000Z", Timestamps.format(a));
    assertTrue(Timestamps.format(a).compareTo(Timestamps.format(b)) < 0, "text order must be time order");
    assertEquals(a, Timestamps.parse("2026-01-02 03:04:05"));
    assertEquals(b, Timestamps.parse(Timestamps.format(b)));
  }

  @Test
  void postgresUrlForms() {
    Map<String, String> env = Map.of(Database.USER_VARIABLE, "env-user", Database.PASSWORD_VARIABLE, "env-secret");
    assertEquals(Database.Vendor.POSTGRESQL, Database.Vendor.of("jdbc:postgresql://db:5432/humpback"));
    assertEquals(Database.Vendor.POSTGRESQL, Database.Vendor.of("postgresql+psycopg://u@db/humpback"));
    assertEquals(Database.Vendor.SQLITE, Database.Vendor.of("sqlite+aiosqlite:///data/humpback.db"));

    PostgresUrl fromEnv = PostgresUrl.parse("jdbc:postgresql://db:5432/humpback", env);
    assertEquals(new PostgresUrl("jdbc:postgresql://db:5432/humpback", "env-user", "env-secret"), fromEnv);
    PostgresUrl inUrl = PostgresUrl.parse("jdbc:postgresql://db/humpback?user=u&password=s3cret", env);
    assertEquals(new PostgresUrl("jdbc:postgresql://db/humpback?user=u&password=s3cret", null, null), inUrl,
        "the URL's user and password win; the driver reads them");
    assertEquals("jdbc:postgresql://db/humpback?user=u&password=***", inUrl.toString());
    PostgresUrl uri = PostgresUrl.parse("postgresql://whale:p%40ss@db.lab:6543/reg?sslmode=require", env);
    assertEquals(new PostgresUrl("jdbc:postgresql://db.lab:6543/reg?sslmode=require", "whale", "p@ss"), uri);
    assertFalse(uri.toString().contains("p@ss"), uri.toString());
    assertEquals("jdbc:postgresql://db.lab:6543/other?sslmode=require", uri.withDatabase("other").jdbcUrl());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PostgresUrl.parse("postgresql://:secret@/x", Map.of()));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void opensAndMigratesAnEmptyPostgresDatabase() throws Exception {
    PostgresUrl url = TestBackend.server().createDatabase("empty");
    try (Database db = Database.open(url, 2, Duration.ofSeconds(10))) {
      assertEquals(Database.Vendor.POSTGRESQL, db.vendor());
      assertThrows(IllegalStateException.class, db::file);
      List<String> versions = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank").mapTo(String.class).list());
      assertEquals(List.of("1", "2"), versions);
      long tables = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('models',"
              + " 'audio_files', 'audio_metadata', 'processing_jobs', 'embedding_sets', 'clustering_jobs', 'clusters',"
              + " 'cluster_assignments', 'app_state')").mapTo(Long.class).one());
      assertEquals(9, tables);
    }
    // Reopening through a URL string, as HUMPBACK_DATABASE_URL gives it, finds the schema in place.
    try (Database db = Database.open(url.jdbcUrl() + "?user=" + url.user(), dir, 2, Duration.ofSeconds(10))) {
      assertEquals(0L, (long) db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM models").mapTo(Long.class).one()));
    }
  }
}
