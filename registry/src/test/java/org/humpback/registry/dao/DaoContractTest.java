package org.humpback.registry.dao;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The DAOs against a real database: an SQLite file and a PostgreSQL database. */
class DaoContractTest {

  @TempDir Path dir;
  Database db;

  @BeforeEach
  void open(TestBackend backend) {
    db = backend.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @OnBothBackends
  void audioFilesRoundTripAndDeduplicateBySha256() {
    AudioFileDao dao = db.dao(AudioFileDao.class);
    Instant created = Instant.parse("2026-05-06T07:08:09.123456Z");
    AudioFile f = new AudioFile(Ids.newId(), "song.wav", "/rec/2026", "aa11", 123.5, 44100, 2, "data/audio/aa11.wav", created);
    dao.insert(f);
    assertEquals(f, dao.findById(f.id()).orElseThrow());
    assertEquals(f, dao.findBySha256("aa11").orElseThrow());
    assertTrue(dao.findBySha256("bb22").isEmpty());

    AudioFile again = new AudioFile(Ids.newId(), "copy.wav", "/other", "aa11", 123.5, 44100, 2, null, Timestamps.now());
    assertEquals(f.id(), dao.insertOrGetBySha256(again).id(), "same bytes: the first row");
    assertThrows(UnableToExecuteStatementException.class, () -> dao.insert(again));
    assertEquals(1, dao.count());
    assertEquals(List.of(f), dao.listByFolder("/rec/2026"));
  }

  @OnBothBackends
  void metadataUpsertKeepsFieldsLeftOut() {
    AudioFile f = TestDatabases.audioFile(db, "m1");
    AudioMetadataDao dao = db.dao(AudioMetadataDao.class);
    AudioMetadata first = dao.upsert(new AudioMetadata(null, f.id(), "{\"tag\":\"A1\"}", "[\"breach\"]", null, null));
    assertEquals("{\"tag\":\"A1\"}", first.tagData());

    AudioMetadata second = dao.upsert(new AudioMetadata(null, f.id(), null, null, "{\"adults\":2}", "0.7"));
    assertEquals(first.id(), second.id(), "the row is updated, not replaced");
    assertEquals("{\"tag\":\"A1\"}", second.tagData());
    assertEquals("[\"breach\"]", second.visualObservations());
    assertEquals("{\"adults\":2}", second.groupComposition());
    assertEquals("0.7", second.preyDensityProxy());

    AudioMetadata third = dao.upsert(new AudioMetadata(null, f.id(), "{\"tag\":\"B2\"}", null, null, null));
    assertEquals("{\"tag\":\"B2\"}", third.tagData());
    assertEquals("{\"adults\":2}", third.groupComposition());

    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new AudioMetadata(null, f.id(), "{not json", null, null, null));
    assertTrue(bad.getMessage().startsWith("Invalid tag_data: not JSON"), bad.getMessage());
    // A file that does not exist: the foreign key refuses.
    assertThrows(UnableToExecuteStatementException.class,
        () -> dao.upsert(new AudioMetadata(null, "no-such-file", "{}", null, null, null)));
  }

  @OnBothBackends
  void oneEmbeddingSetPerFileAndSignature() {
    AudioFile f = TestDatabases.audioFile(db, "e1");
    EmbeddingSetDao dao = db.dao(EmbeddingSetDao.class);
    EmbeddingSet s = new EmbeddingSet(Ids.newId(), f.id(), "sig-A", "yamnet", 5.0, 32000, 1024, "/e/1.parquet", 12L, Timestamps.now());
    dao.insert(s);
    assertEquals(s, dao.findByAudioFileAndSignature(f.id(), "sig-A").orElseThrow());
    EmbeddingSet dup = new EmbeddingSet(Ids.newId(), f.id(), "sig-A", "yamnet", 5.0, 32000, 1024, "/e/2.parquet", 12L, Timestamps.now());
    UnableToExecuteStatementException e = assertThrows(UnableToExecuteStatementException.class, () -> dao.insert(dup));
    // SQLite: "UNIQUE constraint failed"; PostgreSQL: "violates unique constraint".
    assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("unique constraint"), e.getMessage());
    EmbeddingSet other = new EmbeddingSet(Ids.newId(), f.id(), "sig-B", "perch", 5.0, 32000, 1280, "/e/3.parquet", null, Timestamps.now());
    dao.insert(other);
    assertEquals(2, dao.listByAudioFile(f.id()).size());
    assertEquals(List.of(s), dao.listByIds(List.of(s.id(), "missing")));
    assertEquals(List.of(), dao.listByIds(List.of()));
    assertEquals(1, dao.countByModelVersion("perch"));
    // Deleting the audio file removes its embedding sets.
    db.dao(AudioFileDao.class).delete(f.id());
    assertTrue(dao.findById(s.id()).isEmpty());
  }

  @OnBothBackends
  void clustersAndAssignmentsPage() {
    AudioFile f = TestDatabases.audioFile(db, "c1");
    EmbeddingSet s = new EmbeddingSet(Ids.newId(), f.id(), "sig", "yamnet", 5.0, 32000, 4, "/e.parquet", 50L, Timestamps.now());
    db.dao(EmbeddingSetDao.class).insert(s);
    ClusteringJob job = ClusteringJob.queued(List.of(s.id()), "{\"algorithm\":\"hdbscan\"}", null, 3);
    db.dao(ClusteringJobDao.class).insert(job);
    assertEquals(List.of(s.id()), db.dao(ClusteringJobDao.class).findById(job.id()).orElseThrow().embeddingSetIdList());

    Cluster noise = new Cluster(Ids.newId(), job.id(), -1, 10, null);
    Cluster c0 = new Cluster(Ids.newId(), job.id(), 0, 40, "{\"tag\":{\"A1\":40}}");
    db.dao(ClusterDao.class).insertAll(List.of(c0, noise));
    assertEquals(List.of(noise, c0), db.dao(ClusterDao.class).listByJob(job.id()));

    List<ClusterAssignment> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(new ClusterAssignment(Ids.newId(), i < 10 ? noise.id() : c0.id(), s.id(), i, i * 5.0, i * 5.0 + 5, (double) i, -i * 0.5));
    }
    ClusterAssignmentDao dao = db.dao(ClusterAssignmentDao.class);
    dao.insertAll(rows);
    assertEquals(40, dao.countByCluster(c0.id()));
    List<ClusterAssignment> page2 = dao.listByCluster(c0.id(), 15, 15);
    assertEquals(15, page2.size());
    assertEquals(25, page2.get(0).embeddingRowIndex());
    assertEquals(rows.get(25), page2.get(0));
    assertEquals(5, dao.listByCluster(c0.id(), 15, 35).size());
    List<ClusterAssignment> all = dao.listByJob(job.id(), 100, 0);
    assertEquals(50, all.size());
    assertEquals(-1, all.get(0).embeddingRowIndex() < 10 ? -1 : 0, "noise (-1) comes first");

    db.dao(ClusteringJobDao.class).updateMetrics(job.id(), "{\"silhouette\":0.41}", Timestamps.now());
    assertEquals("{\"silhouette\":0.41}", db.dao(ClusteringJobDao.class).findById(job.id()).orElseThrow().metrics());
    // Deleting the job removes its clusters and assignments.
    db.dao(ClusteringJobDao.class).delete(job.id());
    assertEquals(0, dao.countByCluster(c0.id()));
  }

  @OnBothBackends
  void processingJobsRoundTrip() {
    AudioFile f = TestDatabases.audioFile(db, "p1");
    ProcessingJobDao dao = db.dao(ProcessingJobDao.class);
    ProcessingJob j = ProcessingJob.queued(f.id(), "sig", "yamnet", 5.0, 32000, "{\"n_mels\":64}", 2);
    dao.insert(j);
    assertEquals(j, dao.findById(j.id()).orElseThrow());
    assertEquals(j, dao.findActive(f.id(), "sig").orElseThrow());
    assertEquals(List.of(j), dao.listByStatus(JobStatus.QUEUED, 10, 0));
    assertEquals(1, dao.countByStatus(JobStatus.QUEUED));
    assertThrows(IllegalArgumentException.class, () -> ProcessingJob.queued(f.id(), "sig", "m", 5.0, 32000, "{oops", 2));
    assertThrows(IllegalArgumentException.class, () -> ProcessingJob.queued(f.id(), "sig", "m", 5.0, 32000, null, 0));
  }

  @OnBothBackends
  void modelsRoundTripAndSingleDefaultIsEnforcedByTheSchema() {
    ModelDao dao = db.dao(ModelDao.class);
    Instant now = Timestamps.now();
    ModelRecord a = new ModelRecord(Ids.newId(), "a", "A", "/m/a.tflite", 521, null, true,
        "tflite", "waveform", 16000, 0.975,
        "{\"n_mels\":64}", null, "scores", null, false, "ab", now, now);
    dao.insert(a);
    assertEquals(a, dao.findByName("a").orElseThrow());
    ModelRecord b = new ModelRecord(Ids.newId(), "b", "B", "/m/b.onnx", 8, "d", true,
        "onnx", "spectrogram", null, null,
        null, "in", "out", null, true, null, now, now);
    assertThrows(UnableToExecuteStatementException.class, () -> dao.insert(b), "a second default is refused");
    dao.insert(b.withDefault(false));
    assertTrue(dao.setDefault(b.id()));
    assertEquals("b", dao.findDefault().orElseThrow().name());
    assertEquals(false, dao.findById(a.id()).orElseThrow().isDefault());
  }
}
