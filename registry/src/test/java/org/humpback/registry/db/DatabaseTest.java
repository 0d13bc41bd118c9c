package org.humpback.registry.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
}
