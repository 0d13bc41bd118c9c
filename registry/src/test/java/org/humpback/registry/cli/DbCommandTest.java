package org.humpback.registry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.dao.AppStateDao;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.AudioMetadata;
import org.humpback.registry.dao.AudioMetadataDao;
import org.humpback.registry.dao.Cluster;
import org.humpback.registry.dao.ClusterAssignment;
import org.humpback.registry.dao.ClusterAssignmentDao;
import org.humpback.registry.dao.ClusterDao;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.ClusteringJobDao;
import org.humpback.registry.dao.EmbeddingSet;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.RegistryCopy;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code humpback db migrate-to}: an SQLite registry with rows in every table is copied into an
 * empty PostgreSQL database (and, the same code, into an empty SQLite file), verified, refused when
 * the target holds other data, and resumed after an interruption.
 */
class DbCommandTest {

  @TempDir Path dir;
  HumpbackSettings settings;
  String sourceUrl;

  @BeforeEach
  void fillSource() {
    sourceUrl = "jdbc:sqlite:" + dir.resolve("source/humpback.db");
    settings = HumpbackSettings.fromEnv(Map.of("HUMPBACK_HOME", dir.toString(), "HUMPBACK_DATABASE_URL", sourceUrl), dir);
    try (Database db = Database.open(settings)) {
      fill(db);
    }
  }

  /** A registry with rows in every table, some of them more than a page (the tests copy 7 rows a page). */
  static void fill(Database db) {
    Instant t0 = Instant.parse("2026-04-01T10:00:00.123456Z");
    db.dao(ModelDao.class).insert(new ModelRecord(Ids.newId(), "yamnet", "YAMNet", "/m/yamnet.tflite", 1024, "whales",
        true, "tflite", "waveform", 16000, 0.975, "{\"n_mels\":64}", null, "embeddings", null, false,
        "ab12", t0, t0));
    db.dao(ModelDao.class).insert(new ModelRecord(Ids.newId(), "perch", "Perch", "/m/perch", 1280, null, false,
        "tf2_saved_model", "spectrogram", null, null, null, "in", "out", "serving_default", true, null,
        t0, t0.plusSeconds(1)));
    JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
    List<EmbeddingSet> sets = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      AudioFile f = new AudioFile(Ids.newId(), "song" + i + ".wav", i % 2 == 0 ? "/rec/a" : null, "sha" + i,
          i == 3 ? null : 60.5 + i / 3.0, 48000, 1 + i % 2, "audio/sha" + i + ".wav", t0.plusMillis(i));
      db.dao(AudioFileDao.class).insert(f);
      if (i % 3 == 0) {
        db.dao(AudioMetadataDao.class).upsert(new AudioMetadata(null, f.id(), "{\"tag\":\"A" + i + "\"}", null,
            i % 2 == 0 ? "{\"adults\":2}" : null, "0." + i));
      }
      ProcessingJob job = queue.enqueue(ProcessingJob.queued(f.id(), "sig", "yamnet", 5.0, 32000, "{\"n_mels\":64}", 3));
      if (i < 15) {
        ProcessingJob claimed = queue.claim("w1").orElseThrow();
        queue.progress(claimed.id(), "w1", 12, 24L, 3.25);
        if (i % 5 == 4) {
          queue.fail(claimed.id(), "w1", "bad file " + i);
        } else {
          queue.complete(claimed.id(), "w1");
          EmbeddingSet s = new EmbeddingSet(Ids.newId(), claimed.audioFileId(), "sig", "yamnet", 5.0, 32000, 1024,
              "embeddings/" + i + ".parquet", 12L + i, t0.plusSeconds(i));
          db.dao(EmbeddingSetDao.class).insert(s);
          sets.add(s);
        }
      } else if (i == 20) {
        queue.cancel(job.id());
      }
    }
    ClusteringJob cj = ClusteringJob.queued(sets.stream().map(EmbeddingSet::id).toList(), "{\"min_cluster_size\":5}", "k", 3);
    db.dao(ClusteringJobDao.class).insert(cj);
    db.dao(ClusteringJobDao.class).updateMetrics(cj.id(), "{\"silhouette\":0.41}", t0);
    Cluster noise = new Cluster(Ids.newId(), cj.id(), -1, 4, null);
    Cluster c0 = new Cluster(Ids.newId(), cj.id(), 0, 26, "{\"tag\":{\"A1\":26}}");
    db.dao(ClusterDao.class).insertAll(List.of(noise, c0));
    List<ClusterAssignment> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      rows.add(new ClusterAssignment(Ids.newId(), i < 4 ? noise.id() : c0.id(), sets.get(i % sets.size()).id(), i,
          i * 5.0, i * 5.0 + 5, i / 7.0, -i * 0.1));
    }
    db.dao(ClusterAssignmentDao.class).insertAll(rows);
    db.dao(AppStateDao.class).put("default_model_seeded", "yamnet");
  }

  @OnBothBackends
  void copiesEveryTableVerifiesAndAnswersTheSameLists(TestBackend backend) {
    String targetUrl = backend.newUrl(dir.resolve("target"));
    Run first = migrate(targetUrl);
    assertEquals(0, first.status, first.err);
    assertTrue(first.out.contains("verified: every table has the same rows"), first.out);
    for (String table : RegistryCopy.tables()) {
      assertTrue(first.out.lines().anyMatch(l -> l.startsWith(table + " ") && l.endsWith("equal")), table + ":\n" + first.out);
    }
    try (Database source = Database.open(settings);
        Database target = Database.open(targetUrl, dir, 2, Duration.ofSeconds(10))) {
      assertEquals(source.dao(ModelDao.class).list(), target.dao(ModelDao.class).list());
      assertEquals(source.dao(AudioFileDao.class).list(100, 0), target.dao(AudioFileDao.class).list(100, 0));
      assertEquals(source.dao(ProcessingJobDao.class).list(100, 0), target.dao(ProcessingJobDao.class).list(100, 0));
      assertEquals(source.dao(ProcessingJobDao.class).listSummaries(10, 5), target.dao(ProcessingJobDao.class).listSummaries(10, 5));
      assertEquals(source.dao(EmbeddingSetDao.class).list(100, 0), target.dao(EmbeddingSetDao.class).list(100, 0));
      assertEquals(source.dao(ClusteringJobDao.class).list(100, 0), target.dao(ClusteringJobDao.class).list(100, 0));
      String job = source.dao(ClusteringJobDao.class).list(1, 0).get(0).id();
      assertEquals(source.dao(ClusterDao.class).listByJob(job), target.dao(ClusterDao.class).listByJob(job));
      assertEquals(source.dao(ClusterAssignmentDao.class).listByJob(job, 100, 0),
          target.dao(ClusterAssignmentDao.class).listByJob(job, 100, 0));
      for (JobStatus s : JobStatus.values()) {
        assertEquals(source.dao(ProcessingJobDao.class).countByStatus(s), target.dao(ProcessingJobDao.class).countByStatus(s));
      }
      assertEquals("yamnet", target.dao(AppStateDao.class).get("default_model_seeded").orElseThrow());
      // The copy is a working queue: the remaining queued jobs can be claimed there.
      assertTrue(JobQueue.processing(target.jdbi()).claim("new-host").isPresent());
    }

    // Run again: nothing to copy, verified again (the queue claim above changed the target, so it differs now).
    Run again = migrate(targetUrl);
    assertTrue(again.out.contains("already holds a verified copy"), again.out);
    assertEquals(1, again.status, "the target changed after the copy: " + again.out);
  }

  @OnBothBackends
  void refusesATargetWithOtherData(TestBackend backend) {
    String targetUrl = backend.newUrl(dir.resolve("target"));
    try (Database target = Database.open(targetUrl, dir, 2, Duration.ofSeconds(10))) {
      TestDatabases.audioFile(target, "someone-elses");
    }
    Run run = migrate(targetUrl);
    assertEquals(1, run.status);
    assertTrue(run.err.contains("it is not empty: audio_files (1 rows)"), run.err);
    try (Database target = Database.open(targetUrl, dir, 2, Duration.ofSeconds(10))) {
      assertEquals(1, target.dao(AudioFileDao.class).count(), "untouched");
    }
  }

  @OnBothBackends
  void anInterruptedCopyResumesWhereItStopped(TestBackend backend) {
    String targetUrl = backend.newUrl(dir.resolve("target"));
    AtomicInteger pages = new AtomicInteger();
    try (Database source = Database.open(settings);
        Database target = Database.open(targetUrl, dir, 2, Duration.ofSeconds(10))) {
      RegistryCopy copy = new RegistryCopy(source, target, 7);
      // "Killed" after the 6th page: models (1 page), audio_files (4 pages), audio_metadata (1 page) landed.
      RuntimeException e = assertThrows(RuntimeException.class, () -> copy.run(line -> {
        if (pages.incrementAndGet() == 6) {
          throw new RuntimeException("interrupted");
        }
      }));
      assertEquals("interrupted", e.getMessage());
      assertEquals(23, target.dao(AudioFileDao.class).count());
      assertEquals(0, target.dao(ProcessingJobDao.class).countByStatus(JobStatus.COMPLETE));
    }
    Run resumed = migrate(targetUrl);
    assertEquals(0, resumed.status, resumed.out + resumed.err);
    assertTrue(resumed.out.contains("resumed an interrupted copy"), resumed.out);
    assertTrue(resumed.out.lines().anyMatch(l -> l.matches("audio_files +23 +23 +0 .*equal")), resumed.out);
    assertTrue(resumed.out.lines().anyMatch(l -> l.matches("processing_jobs +23 +23 +23 .*equal")), resumed.out);
    assertFalse(resumed.out.contains("DIFFERS"), resumed.out);
  }

  @Test
  void usageErrors() {
    assertEquals(2, DbCommand.run(new String[] {}, settings, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream())));
    assertEquals(2, migrate(null).status);
    Run same = migrate(sourceUrl);
    assertEquals(1, same.status);
    assertTrue(same.err.contains("the same database"), same.err);
  }

  private record Run(int status, String out, String err) {}

  private Run migrate(String targetUrl) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = targetUrl == null ? new String[] {"migrate-to"} : new String[] {"migrate-to", targetUrl, "--page-size", "7"};
    int status = DbCommand.run(args, settings, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
