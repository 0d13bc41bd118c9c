package org.humpback.registry.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.humpback.registry.dao.JobStatus;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelType;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The humpback SQLite database: one file in WAL mode behind a small connection pool, migrated on
 * open, with a {@link Jdbi} that knows the registry's records.
 *
 * <p>Every connection has {@code busy_timeout} set, foreign keys on and
 * {@code transaction_mode=IMMEDIATE}, so a transaction takes the write lock when it begins rather
 * than failing with SQLITE_BUSY when it first writes (the classic deadlock of two deferred
 * transactions upgrading their read locks). Readers in auto-commit mode are never blocked (WAL).
 */
public final class Database implements AutoCloseable {

  /** How long a connection waits for another writer before giving up with SQLITE_BUSY. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_POOL_SIZE = 4;

  private final Path file;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(Path file, HikariDataSource dataSource) {
    this.file = file;
    this.dataSource = dataSource;
    this.jdbi = configure(Jdbi.create(dataSource));
  }

  /** Opens (creating if needed) and migrates the database the settings name (HUMPBACK_DATABASE_URL). */
  public static Database open(org.humpback.registry.config.HumpbackSettings settings) {
    return open(settings.databaseUrl(), settings.databaseBaseDir(), DEFAULT_POOL_SIZE, DEFAULT_BUSY_TIMEOUT);
  }

  /** Opens (creating if needed) and migrates the database named by {@code url}, relative paths against the working directory. */
  public static Database open(String url) {
    return open(url, Path.of("").toAbsolutePath(), DEFAULT_POOL_SIZE, DEFAULT_BUSY_TIMEOUT);
  }

  /**
   * Opens (creating if needed) and migrates a database.
   *
   * @param url {@code jdbc:sqlite:<path>}, the seed's {@code sqlite+aiosqlite:///<relative>} or
   *     {@code sqlite:////<absolute>} forms, or a plain file path
   * @param baseDir what relative paths are resolved against
   */
  public static Database open(String url, Path baseDir, int poolSize, Duration busyTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("Invalid poolSize: " + poolSize + " (expected >= 1)");
    }
    Path file = resolveFile(url, baseDir);
    try {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the directory of database " + file, e);
    }
    ensureTempDir();

    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL); // durable enough with WAL, much faster
    sqlite.setBusyTimeout((int) busyTimeout.toMillis());
    sqlite.enforceForeignKeys(true);
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource sqliteDataSource = new SQLiteDataSource(sqlite);
    sqliteDataSource.setUrl("jdbc:sqlite:" + file);

    HikariConfig pool = new HikariConfig();
    pool.setDataSource(sqliteDataSource);
    pool.setPoolName("humpback-sqlite");
    pool.setMaximumPoolSize(poolSize);
    pool.setMinimumIdle(1);
    // A connection may wait for the busy timeout inside SQLite, so the pool must wait longer.
    pool.setConnectionTimeout(Math.max(30_000, busyTimeout.toMillis() * 3));
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(pool);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot open database " + file + ": " + rootMessage(e), e);
    }
    migrate(file, dataSource);
    return new Database(file, dataSource);
  }

  /**
   * Applies the migrations. Two processes starting on a fresh file at once (say {@code api} and
   * {@code worker}) can both see no history table and race to create it; the loser fails, and on a
   * second look finds the schema in place, so a failed migration is retried a few times.
   */
  private static void migrate(Path file, HikariDataSource dataSource) {
    Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
    for (int attempt = 1; ; attempt++) {
      try {
        flyway.migrate();
        return;
      } catch (FlywayException e) {
        if (attempt >= 3) {
          dataSource.close();
          throw new IllegalStateException("Cannot migrate database " + file + ": " + e.getMessage(), e);
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          dataSource.close();
          throw new IllegalStateException("Interrupted while migrating database " + file, ie);
        }
      }
    }
  }

  /**
   * sqlite-jdbc unpacks its native library into java.io.tmpdir and fails with "No native library
   * found" when that folder is missing (the launcher points it at data/tmp), so make sure it exists.
   */
  private static void ensureTempDir() {
    String tmp = System.getProperty("java.io.tmpdir");
    if (tmp != null && !tmp.isBlank()) {
      try {
        Files.createDirectories(Path.of(tmp));
      } catch (IOException | RuntimeException e) {
        // Reported by the connection attempt below if it matters.
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  /** The file a URL names, resolved against {@code baseDir} and normalised. */
  public static Path resolveFile(String url, Path baseDir) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("Invalid database url: empty");
    }
    String u = url.trim();
    String pathText;
    if (u.startsWith("jdbc:sqlite:")) {
      pathText = stripQuery(u.substring("jdbc:sqlite:".length()));
      if (pathText.startsWith("file:")) {
        pathText = pathText.substring("file:".length());
      }
    } else if (u.matches("^sqlite(\\+[a-z0-9_]+)?://.*")) {
      // SQLAlchemy: sqlite:///relative/path, sqlite:////absolute/path
      String afterScheme = u.substring(u.indexOf("://") + 3);
      if (!afterScheme.startsWith("/")) {
        throw new IllegalArgumentException("Invalid database url: '" + url + "' (expected sqlite:///relative/path or sqlite:////absolute/path)");
      }
      pathText = stripQuery(afterScheme.substring(1));
    } else if (u.contains("://") || u.startsWith("jdbc:")) {
      throw new IllegalArgumentException("Invalid database url: '" + url + "' (only SQLite is supported: jdbc:sqlite:<path>, sqlite:///<path> or a file path)");
    } else {
      pathText = u;
    }
    if (pathText.isEmpty() || pathText.equals(":memory:")) {
      throw new IllegalArgumentException("Invalid database url: '" + url + "' (a file is needed; in-memory databases cannot be shared by a pool)");
    }
    Path p = Path.of(pathText);
    return (p.isAbsolute() ? p : baseDir.resolve(p)).toAbsolutePath().normalize();
  }

  private static String stripQuery(String s) {
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  /** Registers the SqlObject plugin and how enums and instants are stored. */
  static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.VARCHAR) {
      @Override
      protected Argument build(Instant value, ConfigRegistry config) {
        return (position, statement, ctx) -> statement.setString(position, Timestamps.format(value));
      }
    });
    jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> Timestamps.parse(rs.getString(column)));

    jdbi.registerArgument(new AbstractArgumentFactory<JobStatus>(Types.VARCHAR) {
      @Override
      protected Argument build(JobStatus value, ConfigRegistry config) {
        return (position, statement, ctx) -> statement.setString(position, value.wireName());
      }
    });
    jdbi.registerColumnMapper(JobStatus.class, (rs, column, ctx) -> {
      String s = rs.getString(column);
      return s == null ? null : JobStatus.fromWireName(s);
    });
    jdbi.registerArgument(new AbstractArgumentFactory<ModelType>(Types.VARCHAR) {
      @Override
      protected Argument build(ModelType value, ConfigRegistry config) {
        return (position, statement, ctx) -> statement.setString(position, value.wireName());
      }
    });
    jdbi.registerColumnMapper(ModelType.class, (rs, column, ctx) -> {
      String s = rs.getString(column);
      return s == null ? null : ModelType.fromWireName(s);
    });
    jdbi.registerArgument(new AbstractArgumentFactory<InputFormat>(Types.VARCHAR) {
      @Override
      protected Argument build(InputFormat value, ConfigRegistry config) {
        return (position, statement, ctx) -> statement.setString(position, value.wireName());
      }
    });
    jdbi.registerColumnMapper(InputFormat.class, (rs, column, ctx) -> {
      String s = rs.getString(column);
      return s == null ? null : InputFormat.fromWireName(s);
    });
    return jdbi;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** A DAO on demand: each call takes a pooled connection for its duration. */
  public <T> T dao(Class<T> daoType) {
    return jdbi.onDemand(daoType);
  }

  /** The database file (absolute, normalised). */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
