package org.humpback.registry.db;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
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
import org.humpback.registry.dao.ModelDao;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.jdbi.v3.core.Handle;

/**
 * Copies a whole registry (models, audio files and metadata, both job tables, embedding sets,
 * clusters, assignments, app state) into an empty database, typically an SQLite file into
 * PostgreSQL, then verifies that every table has the same rows: the same count and the same
 * SHA-256 over its rows as the registry's records read them, in key order, on both sides.
 *
 * <p>Rows are copied in key order, one page per target transaction, and the target's app_state
 * holds a marker ({@value #MARKER}) from the first page on. So a copy that was interrupted resumes
 * after the last key each table received, a finished copy run again only verifies, and a target
 * with rows but no marker (someone else's data) is refused.
 *
 * <p>The source must not change meanwhile: stop the API and workers first.
 */
public final class RegistryCopy {

  /** The app_state key the target carries: "copying from ..." until verified, then "copied from ...". */
  public static final String MARKER = "humpback.copied_from";
  public static final int DEFAULT_PAGE_SIZE = 1000;

  /** One table's figures after a copy. */
  public record TableReport(String table, long sourceRows, long targetRows, String sourceSha256, String targetSha256,
      long copiedNow) {
    public boolean matches() {
      return sourceRows == targetRows && sourceSha256.equals(targetSha256);
    }
  }

  /** What a run did. */
  public record Report(List<TableReport> tables, boolean resumed, boolean alreadyComplete) {
    public boolean verified() {
      return tables.stream().allMatch(TableReport::matches);
    }
  }

  /** The target holds rows this copy did not write. */
  public static final class TargetNotEmptyException extends IllegalStateException {
    TargetNotEmptyException(String message) {
      super(message);
    }
  }

  /**
   * One table: how to read a page after a key, each row's key, and how to write a page through the
   * table's DAO. Tables are listed parents first, so foreign keys hold on every page.
   */
  private record Table<R>(String name, String key, PageReader<R> reader, Function<R, String> keyOf,
      BiConsumer<Handle, List<R>> writer) {

    List<R> page(Handle h, String after, int limit) {
      return reader.read(h.attach(RegistryCopyDao.class), after, limit);
    }
  }

  @FunctionalInterface
  private interface PageReader<R> {
    List<R> read(RegistryCopyDao dao, String after, int limit);
  }

  private static final List<Table<?>> TABLES = List.of(
      new Table<ModelRecord>("models", "id", RegistryCopyDao::models, ModelRecord::id,
          (h, rows) -> rows.forEach(h.attach(ModelDao.class)::insert)),
      new Table<AudioFile>("audio_files", "id", RegistryCopyDao::audioFiles, AudioFile::id,
          (h, rows) -> rows.forEach(h.attach(AudioFileDao.class)::insert)),
      new Table<AudioMetadata>("audio_metadata", "id", RegistryCopyDao::audioMetadata, AudioMetadata::id,
          (h, rows) -> rows.forEach(h.attach(AudioMetadataDao.class)::upsertRow)),
      new Table<ProcessingJob>("processing_jobs", "id", RegistryCopyDao::processingJobs, ProcessingJob::id,
          (h, rows) -> rows.forEach(h.attach(ProcessingJobDao.class)::insert)),
      new Table<EmbeddingSet>("embedding_sets", "id", RegistryCopyDao::embeddingSets, EmbeddingSet::id,
          (h, rows) -> rows.forEach(h.attach(EmbeddingSetDao.class)::insert)),
      new Table<ClusteringJob>("clustering_jobs", "id", RegistryCopyDao::clusteringJobs, ClusteringJob::id,
          (h, rows) -> rows.forEach(h.attach(ClusteringJobDao.class)::insert)),
      new Table<Cluster>("clusters", "id", RegistryCopyDao::clusters, Cluster::id,
          (h, rows) -> h.attach(ClusterDao.class).insertAll(rows)),
      new Table<ClusterAssignment>("cluster_assignments", "id", RegistryCopyDao::clusterAssignments,
          ClusterAssignment::id, (h, rows) -> h.attach(ClusterAssignmentDao.class).insertAll(rows)),
      // The marker itself is the target's own row: never copied, never counted.
      new Table<RegistryCopyDao.AppState>("app_state", "key",
          (dao, after, limit) -> dao.appState(after, limit).stream().filter(r -> !r.key().equals(MARKER)).toList(),
          RegistryCopyDao.AppState::key,
          (h, rows) -> rows.forEach(r -> h.attach(AppStateDao.class).put(r.key(), r.value()))));

  private final Database source;
  private final Database target;
  private final int pageSize;

  public RegistryCopy(Database source, Database target, int pageSize) {
    this.source = Objects.requireNonNull(source, "source");
    this.target = Objects.requireNonNull(target, "target");
    if (pageSize < 1) {
      throw new IllegalArgumentException("Invalid pageSize: " + pageSize + " (expected >= 1)");
    }
    this.pageSize = pageSize;
  }

  /** The tables copied, parents first. */
  public static List<String> tables() {
    return TABLES.stream().map(Table::name).toList();
  }

  /**
   * Copies (or resumes copying) and verifies.
   *
   * @param progress told "table: n rows" as pages land
   * @throws TargetNotEmptyException when the target has rows and no marker of a copy from this source
   */
  public Report run(java.util.function.Consumer<String> progress) {
    String from = source.toString();
    String marker = target.dao(AppStateDao.class).get(MARKER).orElse(null);
    boolean resumed = false;
    boolean alreadyComplete = false;
    if (marker == null) {
      List<String> nonEmpty = new ArrayList<>();
      for (Table<?> t : TABLES) {
        long n = target.dao(RegistryCopyDao.class).count(t.name());
        if (n > 0) {
          nonEmpty.add(t.name() + " (" + n + " rows)");
        }
      }
      if (!nonEmpty.isEmpty()) {
        throw new TargetNotEmptyException("Refusing to copy into " + target + ": it is not empty: "
            + String.join(", ", nonEmpty) + ". Copy into an empty database.");
      }
      target.dao(AppStateDao.class).put(MARKER, "copying from " + from);
    } else if (!marker.endsWith(" from " + from)) {
      throw new TargetNotEmptyException("Refusing to copy into " + target + ": it holds a copy " + marker
          + ", not from " + from);
    } else {
      alreadyComplete = marker.startsWith("copied");
      resumed = !alreadyComplete;
    }

    List<Long> copiedNow = new ArrayList<>();
    for (Table<?> t : TABLES) {
      copiedNow.add(alreadyComplete ? 0 : copy(t, progress));
    }
    List<TableReport> reports = new ArrayList<>();
    for (int i = 0; i < TABLES.size(); i++) {
      Table<?> t = TABLES.get(i);
      reports.add(new TableReport(t.name(), count(source, t), count(target, t), checksum(source, t), checksum(target, t),
          copiedNow.get(i)));
    }
    Report report = new Report(List.copyOf(reports), resumed, alreadyComplete);
    if (report.verified()) {
      target.dao(AppStateDao.class).put(MARKER, "copied from " + from);
    }
    return report;
  }

  /** Copies the rows after the target's greatest key, page by page; returns how many. */
  private <R> long copy(Table<R> t, java.util.function.Consumer<String> progress) {
    // app_state is written by upsert and holds the marker (whose key says nothing of progress): always from the start.
    String after = t.name().equals("app_state") ? null
        : target.jdbi().withHandle(h -> h.attach(RegistryCopyDao.class).maxKey(t.name(), t.key()));
    if (after == null) {
      after = "";
    }
    long copied = 0;
    while (true) {
      String from = after;
      List<R> page = source.jdbi().withHandle(h -> t.page(h, from, pageSize));
      if (page.isEmpty()) {
        break;
      }
      target.jdbi().useTransaction(h -> t.writer().accept(h, page));
      copied += page.size();
      after = t.keyOf().apply(page.get(page.size() - 1));
      progress.accept(t.name() + ": " + copied + " rows");
    }
    return copied;
  }

  private static long count(Database db, Table<?> t) {
    long n = db.dao(RegistryCopyDao.class).count(t.name());
    // The marker row is the target's own.
    return t.name().equals("app_state") && db.dao(AppStateDao.class).get(MARKER).isPresent() ? n - 1 : n;
  }

  /** SHA-256 over the table's rows as records (their text form, one a line) in key order. */
  private <R> String checksum(Database db, Table<R> t) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String after = "";
    while (true) {
      String from = after;
      List<R> page = db.jdbi().withHandle(h -> t.page(h, from, pageSize));
      if (page.isEmpty()) {
        break;
      }
      for (R row : page) {
        sha.update((row + "\n").getBytes(StandardCharsets.UTF_8));
      }
      after = t.keyOf().apply(page.get(page.size() - 1));
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
