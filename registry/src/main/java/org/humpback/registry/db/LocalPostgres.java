package org.humpback.registry.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests and benchmarks: {@code initdb} into a fresh folder under
 * {@code /tmp}, {@code pg_ctl start} on a free loopback port, {@link #createDatabase} per test, and
 * {@link #close} stops the server and deletes the folder. Not for production data: it trusts every
 * local connection and, unless {@code durable}, runs with {@code fsync=off}.
 *
 * <p>PostgreSQL refuses to run as root, so as root the server runs as {@value #RUN_AS} through
 * {@code runuser} (or {@code setpriv}), in a folder that user owns. The binaries are found at
 * HUMPBACK_POSTGRES_BIN, else the newest {@code /usr/lib/postgresql/<version>/bin} (Debian's layout).
 */
public final class LocalPostgres implements AutoCloseable {

  /** The user the server runs as when this process is root. */
  public static final String RUN_AS = "nobody";
  /** The superuser {@code initdb} creates (trusted, no password). */
  public static final String USER = "humpback";
  public static final String BIN_VARIABLE = "HUMPBACK_POSTGRES_BIN";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final List<String> runAs;
  private boolean stopped;

  private LocalPostgres(Path bin, Path dir, int port, List<String> runAs) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.runAs = runAs;
  }

  /** The folder holding {@code initdb} and {@code pg_ctl}, if this machine has one. */
  public static Optional<Path> findBinaries() {
    String configured = System.getenv(BIN_VARIABLE);
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured.strip());
      return hasServer(p) ? Optional.of(p) : Optional.empty();
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin")).filter(LocalPostgres::hasServer)
          .max(Comparator.comparingInt(LocalPostgres::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Why {@link #findBinaries} found nothing: for skip messages. */
  public static String whereLooked() {
    String configured = System.getenv(BIN_VARIABLE);
    return configured != null && !configured.isBlank()
        ? BIN_VARIABLE + "=" + configured + " holds no initdb, pg_ctl and postgres"
        : "no initdb, pg_ctl and postgres under /usr/lib/postgresql/<version>/bin (install postgresql-15, or set "
            + BIN_VARIABLE + ")";
  }

  /**
   * Starts a fresh server.
   *
   * @param durable false: {@code fsync=off} and {@code synchronous_commit=off} (tests); true: PostgreSQL's defaults
   *     but {@code synchronous_commit=off}, which like SQLite's WAL with {@code synchronous=NORMAL} may lose the last
   *     commits on power loss but never corrupts (benchmarks)
   */
  public static LocalPostgres start(boolean durable) throws IOException {
    Path bin = findBinaries().orElseThrow(() -> new IllegalStateException("Cannot start PostgreSQL: " + whereLooked()));
    List<String> runAs = runAsPrefix();
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "humpback-pg");
    if (!runAs.isEmpty()) {
      UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(RUN_AS);
      Files.setOwner(dir, owner);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    IOException last = null;
    try {
      run(dir, concat(runAs, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
          "--auth=trust", "--locale=C", "--encoding=UTF8", "--no-sync"));
      for (int attempt = 1; attempt <= 3; attempt++) {
        int port = freePort();
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=200"
            + " -c synchronous_commit=off" + (durable ? "" : " -c fsync=off -c full_page_writes=off");
        try {
          run(dir, concat(runAs, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
              "-l", dir.resolve("server.log").toString(), "-w", "-t", String.valueOf(START_TIMEOUT.toSeconds()),
              "-o", options, "start"));
          return new LocalPostgres(bin, dir, port, runAs);
        } catch (IOException e) {
          last = e; // most likely the port was taken in between: try another
        }
      }
      throw last;
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** Creates an empty database (name: {@code prefix_<n>}) and returns its URL. */
  public PostgresUrl createDatabase(String prefix) throws IOException {
    return createDatabase(prefix, null);
  }

  /**
   * Creates a database (name: {@code prefix_<n>}) as a copy of {@code template} (a database nobody is connected
   * to; {@code null}: an empty one) and returns its URL.
   */
  public PostgresUrl createDatabase(String prefix, String template) throws IOException {
    String name = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
    List<String> command = new ArrayList<>(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(port), "-U", USER));
    if (template != null) {
      command.addAll(List.of("-T", template));
    }
    command.add(name);
    run(dir, command);
    return url(name);
  }

  /** The URL of database {@code name} on this server (user {@value #USER}, no password). */
  public PostgresUrl url(String name) {
    return new PostgresUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + name, USER, null);
  }

  public int port() {
    return port;
  }

  /** Stops the server (fast shutdown: open sessions are ended) and deletes its folder. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      run(dir, concat(runAs, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast",
          "-w", "-t", "30", "stop"));
    } catch (IOException | RuntimeException e) {
      try {
        run(dir, concat(runAs, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
            "immediate", "-w", "stop"));
      } catch (IOException | RuntimeException e2) {
        e.addSuppressed(e2);
        throw new IllegalStateException("Cannot stop the PostgreSQL server in " + dir + ": " + e.getMessage(), e);
      }
    } finally {
      deleteTree(dir);
    }
  }

  @Override
  public String toString() {
    return "LocalPostgres[127.0.0.1:" + port + ", " + dir + "]";
  }

  private static boolean hasServer(Path bin) {
    return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))
        && Files.isExecutable(bin.resolve("postgres"));
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Empty when not root; else a command that runs the rest as {@value #RUN_AS}. */
  private static List<String> runAsPrefix() {
    if (!isRoot()) {
      return List.of();
    }
    for (Path runuser : List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"), Path.of("/usr/bin/runuser"))) {
      if (Files.isExecutable(runuser)) {
        return List.of(runuser.toString(), "-u", RUN_AS, "--");
      }
    }
    for (Path setpriv : List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"))) {
      if (Files.isExecutable(setpriv)) {
        return List.of(setpriv.toString(), "--reuid=" + RUN_AS, "--regid=nogroup", "--clear-groups", "--");
      }
    }
    throw new IllegalStateException("Cannot start PostgreSQL as root and found neither runuser nor setpriv to run it as "
        + RUN_AS);
  }

  private static boolean isRoot() {
    try {
      return "root".equals(Files.getOwner(Path.of("/proc/self")).getName());
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static List<String> concat(List<String> prefix, String... rest) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(rest));
    return all;
  }

  /** Runs a command to its end; a non-zero exit throws with the command's output. */
  private static void run(Path dir, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output;
    try (var in = p.getInputStream()) {
      output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("Timed out: " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("Interrupted: " + String.join(" ", command), e);
    }
    if (p.exitValue() != 0) {
      String log = "";
      Path serverLog = dir.resolve("server.log");
      if (Files.exists(serverLog)) {
        List<String> lines = Files.readAllLines(serverLog);
        log = "\nserver.log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
      }
      throw new IOException("'" + String.join(" ", command) + "' exited with " + p.exitValue() + ":\n" + output.strip() + log);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: it is a temp folder.
    }
  }
}
