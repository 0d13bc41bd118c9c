package org.humpback.registry.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Type;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.humpback.registry.dao.JobStatus;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The humpback database behind a small connection pool, migrated on open, with a {@link Jdbi} that
 * knows the registry's records: an SQLite file in WAL mode (the embedded default, one host) or a
 * PostgreSQL database (several hosts; {@code jdbc:postgresql://...}). Both run the same DAOs; the
 * migrations differ only in the first schema (see {@code db/postgresql/V1__initial_schema.sql}).
 *
 * <p>SQLite: every connection has {@code busy_timeout} set, foreign keys on and
 * {@code transaction_mode=IMMEDIATE}, so a transaction takes the write lock when it begins rather
 * than failing with SQLITE_BUSY when it first writes (the classic deadlock of two deferred
 * transactions upgrading their read locks). Readers in auto-commit mode are never blocked (WAL).
 *
 * <p>PostgreSQL: the driver's defaults (READ COMMITTED); the job claim locks the row it takes
 * ({@code FOR UPDATE SKIP LOCKED}, the template attribute {@value #CLAIM_LOCK}), and every other
 * queue transition is one owner-checked {@code UPDATE}. The user and password come from the URL
 * ({@code ?user=..&password=..}) or from HUMPBACK_DATABASE_USER and HUMPBACK_DATABASE_PASSWORD.
 */
public final class Database implements AutoCloseable {

  /** The two database systems humpback runs on. */
  public enum Vendor {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    private final String folder;

    Vendor(String folder) {
      this.folder = folder;
    }

    /** The vendor a URL names: PostgreSQL for {@code jdbc:postgresql:} and {@code postgresql://} forms, else SQLite. */
    public static Vendor of(String url) {
      String u = url == null ? "" : url.trim();
      return u.startsWith("jdbc:postgresql:") || u.matches("^postgres(ql)?(\\+[a-z0-9_]+)?://.*") ? POSTGRESQL : SQLITE;
    }

    /** The migrations of this vendor's first schema: {@code classpath:db/<folder>}. */
    String migrationFolder() {
      return "classpath:db/" + folder;
    }
  }

  /**
   * The template attribute the job claim ends its sub-select with: {@code FOR UPDATE SKIP LOCKED}
   * on PostgreSQL (concurrent claims pass over each other's rows), empty on SQLite (one writer at a
   * time; SQLite has no row locks).
   */
  public static final String CLAIM_LOCK = "claimLock";

  /** Where {@link #open(String, Path, int, Duration)} reads the PostgreSQL user and password when the URL has none. */
  public static final String USER_VARIABLE = "HUMPBACK_DATABASE_USER";
  public static final String PASSWORD_VARIABLE = "HUMPBACK_DATABASE_PASSWORD";

  /** How long a connection waits for another writer before giving up with SQLITE_BUSY. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_POOL_SIZE = 4;

  private final Vendor vendor;
  private final String description;
  private final Path file;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(Vendor vendor, String description, Path file, HikariDataSource dataSource) {
    this.vendor = vendor;
    this.description = description;
    this.file = file;
    this.dataSource = dataSource;
    this.jdbi = configure(Jdbi.create(dataSource), vendor);
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
   *     {@code sqlite:////<absolute>} forms, or a plain file path; or PostgreSQL's
   *     {@code jdbc:postgresql://host:port/db[?user=..&password=..]} or {@code postgresql://user:password@host:port/db}
   * @param baseDir what relative paths are resolved against
   * @param busyTimeout SQLite: how long a writer waits for another; PostgreSQL: how long to wait for a connection
   */
  public static Database open(String url, Path baseDir, int poolSize, Duration busyTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("Invalid poolSize: " + poolSize + " (expected >= 1)");
    }
    if (Vendor.of(url) == Vendor.POSTGRESQL) {
      return openPostgres(PostgresUrl.parse(url, System.getenv()), poolSize, busyTimeout);
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
    migrate(Vendor.SQLITE, file.toString(), dataSource);
    return new Database(Vendor.SQLITE, file.toString(), file, dataSource);
  }

  /** Opens and migrates a PostgreSQL database (which must exist; the schema is created in it). */
  public static Database open(PostgresUrl url, int poolSize, Duration connectionTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("Invalid poolSize: " + poolSize + " (expected >= 1)");
    }
    return openPostgres(url, poolSize, connectionTimeout);
  }

  private static Database openPostgres(PostgresUrl url, int poolSize, Duration connectionTimeout) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(url.jdbcUrl());
    if (url.user() != null) {
      pool.setUsername(url.user());
    }
    if (url.password() != null) {
      pool.setPassword(url.password());
    }
    pool.setPoolName("humpback-postgresql");
    pool.setMaximumPoolSize(poolSize);
    pool.setMinimumIdle(1);
    pool.setConnectionTimeout(Math.max(30_000, connectionTimeout.toMillis()));
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(pool);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot open database " + url + ": " + rootMessage(e), e);
    }
    migrate(Vendor.POSTGRESQL, url.toString(), dataSource);
    return new Database(Vendor.POSTGRESQL, url.toString(), null, dataSource);
  }

  /**
   * Applies the migrations. Two processes starting on a fresh file at once (say {@code api} and
   * {@code worker}) can both see no history table and race to create it; the loser fails, and on a
   * second look finds the schema in place, so a failed migration is retried a few times.
   */
  private static void migrate(Vendor vendor, String name, HikariDataSource dataSource) {
    // The vendor's first schema, then the shared, portable migrations.
    Flyway flyway = Flyway.configure().dataSource(dataSource)
        .locations(vendor.migrationFolder(), "classpath:db/migration").load();
    for (int attempt = 1; ; attempt++) {
      try {
        flyway.migrate();
        return;
      } catch (FlywayException e) {
        if (attempt >= 3) {
          dataSource.close();
          throw new IllegalStateException("Cannot migrate database " + name + ": " + e.getMessage(), e);
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          dataSource.close();
          throw new IllegalStateException("Interrupted while migrating database " + name, ie);
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
      throw new IllegalArgumentException("Invalid database url: '" + url + "' (expected SQLite: jdbc:sqlite:<path>, "
          + "sqlite:///<path> or a file path; or PostgreSQL: jdbc:postgresql://host:port/db)");
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

  /** Registers the SqlObject plugin, how enums, instants and flags are stored, and the vendor's claim lock. */
  static Jdbi configure(Jdbi jdbi, Vendor vendor) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.define(CLAIM_LOCK, vendor == Vendor.POSTGRESQL ? "FOR UPDATE SKIP LOCKED" : "");
    // Flags are 0/1 INTEGER columns in both schemas (SQLite has no boolean type), so booleans are bound as
    // integers: PostgreSQL refuses a boolean for an integer column, and the SQL says "= 1" on both.
    jdbi.registerArgument(new BooleanAsInteger());
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
    return jdbi;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** A DAO on demand: each call takes a pooled connection for its duration. */
  public <T> T dao(Class<T> daoType) {
    return jdbi.onDemand(daoType);
  }

  /** The database file (absolute, normalised); SQLite only. */
  public Path file() {
    if (file == null) {
      throw new IllegalStateException("Database " + description + " is " + vendor + ": it has no file");
    }
    return file;
  }

  public Vendor vendor() {
    return vendor;
  }

  /** The file, or the PostgreSQL URL without its password: for messages. */
  @Override
  public String toString() {
    return description;
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /** Binds {@code boolean} and {@code Boolean} as 1/0 (null stays NULL). */
  private static final class BooleanAsInteger implements ArgumentFactory.Preparable {
    @Override
    public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
      if (type != boolean.class && type != Boolean.class) {
        return Optional.empty();
      }
      return Optional.of(value -> value == null
          ? (position, statement, ctx) -> statement.setNull(position, Types.INTEGER)
          : (position, statement, ctx) -> statement.setInt(position, (Boolean) value ? 1 : 0));
    }
  }
}
