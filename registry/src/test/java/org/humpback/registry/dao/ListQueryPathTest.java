package org.humpback.registry.dao;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The list endpoints' read path: indices that serve each ORDER BY, and the hand-written job mapper. */
class ListQueryPathTest {

  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open() {
    db = TestDatabases.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void listQueriesReadInIndexOrderWithoutSorting() {
    List<String> queries = List.of(
        "SELECT * FROM processing_jobs ORDER BY created_at DESC, id LIMIT 100 OFFSET 0",
        "SELECT id, status, progress FROM processing_jobs ORDER BY created_at DESC, id LIMIT 100 OFFSET 0",
        "SELECT * FROM processing_jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 100 OFFSET 0",
        "SELECT * FROM clustering_jobs ORDER BY created_at DESC, id LIMIT 100 OFFSET 0",
        "SELECT * FROM clustering_jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 100 OFFSET 0",
        "SELECT * FROM embedding_sets ORDER BY created_at DESC, id LIMIT 100 OFFSET 0",
        "SELECT * FROM audio_files ORDER BY created_at DESC, id LIMIT 100 OFFSET 0");
    for (String sql : queries) {
      List<String> details = db.jdbi().withHandle(h -> h.createQuery("EXPLAIN QUERY PLAN " + sql)
          .map((rs, ctx) -> rs.getString("detail")).list());
      String plan = String.join("\n", details);
      assertFalse(plan.contains("TEMP B-TREE"), "a sort is left in the plan of " + sql + ":\n" + plan);
      assertFalse(java.util.regex.Pattern.compile("(?m)^SCAN \\w+$").matcher(plan).find(), "a full scan without an index for " + sql + ":\n" + plan);
    }
  }

  @OnBothBackends
  void handWrittenMapperMatchesTheConstructorMapper(TestBackend backend) {
    try (Database db = backend.open(dir.resolve("mapper"))) {
      handWrittenMapperMatchesTheConstructorMapper(db);
    }
  }

  private static void handWrittenMapperMatchesTheConstructorMapper(Database db) {
    AudioFile f = TestDatabases.audioFile(db, "mapper");
    ProcessingJobDao dao = db.dao(ProcessingJobDao.class);
    ProcessingJob sparse = ProcessingJob.queued(f.id(), "sig-a", "m", null, null, null, 3);
    ProcessingJob full = new ProcessingJob(Ids.newId(), f.id(), JobStatus.RUNNING, "sig-b", "m", 5.0, 32000,
        "{\"n_mels\":128}", "boom", Instant.parse("2026-01-02T03:04:05.123456Z"),
        Instant.parse("2026-01-02T03:04:06Z"), true, 0.25, 12, 48L, 3.5, 2, 5, "w1",
        Instant.parse("2026-01-02T03:04:07.5Z"), Instant.parse("2026-01-02T03:04:04.000001Z"), null, true);
    dao.insert(sparse);
    dao.insert(full);
    List<ProcessingJob> generic = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM processing_jobs ORDER BY id")
        .map(ConstructorMapper.of(ProcessingJob.class)).list());
    List<ProcessingJob> handWritten = db.jdbi().withHandle(h -> h.createQuery(
        "SELECT * FROM processing_jobs ORDER BY id").map(new ProcessingJobMapper()).list());
    assertEquals(generic, handWritten);
    assertEquals(full, dao.findById(full.id()).orElseThrow());
    assertEquals(sparse, dao.findById(sparse.id()).orElseThrow());
    List<ProcessingJob> page = dao.list(100, 0);
    assertEquals(2, page.size());
    assertEquals(page.stream().map(ProcessingJobSummary::of).toList(), dao.listSummaries(100, 0));
    assertEquals(page.subList(1, 2).stream().map(ProcessingJobSummary::of).toList(), dao.listSummaries(1, 1));
  }

  @Test
  void listReadsAreNotBlockedByAnOpenWriteTransaction() throws Exception {
    AudioFile f = TestDatabases.audioFile(db, "wal");
    ProcessingJobDao dao = db.dao(ProcessingJobDao.class);
    ProcessingJob job = ProcessingJob.queued(f.id(), "sig-wal", "m", 5.0, 32000, null, 3);
    dao.insert(job);
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      // A worker's IMMEDIATE transaction holds the write lock; in WAL mode a list read on another pooled connection
      // must not wait for it (it would wait up to the 10 s busy timeout if it did) and sees the last committed state.
      List<ProcessingJobSummary> seen = db.jdbi().inTransaction(h -> {
        h.createUpdate("UPDATE processing_jobs SET progress = 0.5 WHERE id = :id").bind("id", job.id()).execute();
        return reader.submit(() -> dao.listSummaries(100, 0)).get(3, TimeUnit.SECONDS);
      });
      assertEquals(1, seen.size());
      assertEquals(0.0, seen.get(0).progress());
      assertEquals(0.5, dao.listSummaries(100, 0).get(0).progress());
    } finally {
      reader.shutdownNow();
    }
  }

  @Test
  void storedTimestampsParseAsInstantParseDoes() {
    Random random = new Random(6);
    for (int i = 0; i < 2_000; i++) {
      // Years 0000-9999 with microseconds, as the column stores them.
      Instant t = Instant.ofEpochSecond(-62_167_219_200L + (long) (random.nextDouble() * 315_537_897_599L),
          random.nextInt(1_000_000) * 1_000L);
      String text = Timestamps.format(t);
      assertEquals(t, Timestamps.parse(text), text);
      assertEquals(Instant.parse(text), Timestamps.parse(text), text);
    }
    // Not the stored form, or not a valid date: the general path decides, as before.
    assertEquals(Instant.parse("2026-01-02T03:04:05Z"), Timestamps.parse("2026-01-02T03:04:05Z"));
    assertEquals(Instant.parse("2026-01-02T03:04:05.5Z"), Timestamps.parse("2026-01-02 03:04:05.500000"));
    assertEquals(DateTimeFormatter.ISO_INSTANT.parse("2016-12-31T23:59:60.000000Z", Instant::from),
        Timestamps.parse("2016-12-31T23:59:60.000000Z"));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("2026-02-30T03:04:05.000000Z"));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("2026-13-01T03:04:05.000000Z"));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("2026-01-01T03:04:05.00000xZ"));
    assertNull(Timestamps.parse(" "));
  }
}
