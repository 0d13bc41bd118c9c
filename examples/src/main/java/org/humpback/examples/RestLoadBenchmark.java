package org.humpback.examples;

import io.helidon.webserver.WebServer;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.pipelines.models.ModelPaths;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.RestOptions;
import org.humpback.rest.RestServer;
import org.humpback.pipelines.jobs.AudioProbe;

/**
 * Prints latency (p50/p99/max), achieved req/s, errors and the server's CPU time per request of
 * {@code GET /processing/jobs} (the default page: 100 of the 1,000 jobs in the table) on loopback while a worker
 * writes progress to the same queue. Goal (issue 6): p99 < 20 ms at 1,000 req/s.
 *
 * <ul>
 *   <li>The server runs in its own JVM (a child process of this one, the API as {@code ./humpback api} runs it: same
 *       {@link RestServer}, a pool of 8 SQLite connections), so its CPU time can be read from the OS and divided by
 *       the requests served. Client and server share the machine's cores; CPU per request is the figure that does not
 *       depend on how busy the client is.
 *   <li>The worker runs in this process on the same database file, as {@code ./humpback worker} would: it claims a
 *       job, writes progress every 100 ms (IMMEDIATE transactions), completes it and queues a fresh one, so the table
 *       stays at 1,000 jobs and readers always race a writer. No model runs.
 *   <li>Open loop: request i is due at {@code start + i / rate} whatever happened before; latency counts from the due
 *       time, so a slow server shows as latency instead of being hidden by a client that waits (no coordinated
 *       omission). Each request runs on a virtual thread with a keep-alive connection of its own from a pool (a new
 *       one when none is idle), over a minimal HTTP/1.1 client on plain sockets, which costs far less CPU than
 *       {@code java.net.http} on a shared 2-core machine.
 *   <li>Closed loop: {@code connections} clients each send the next request as soon as the last one returns: the
 *       maximum throughput.
 * </ul>
 *
 * Everything is bounded: each case runs for {@code seconds}; requests still unanswered 10 s after the schedule ends
 * count as errors; the server exits when this process closes its stdin, or after 15 minutes at the latest.
 *
 * <p>Usage (after {@code mvn -o -q -pl examples -am package -DskipTests}): {@code java -cp
 * "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.RestLoadBenchmark [rate=1000] [seconds=15] [connections=8]}; the server's log is
 * {@code server.log} in the printed temporary directory (deleted at the end), and {@code -Dhumpback.bench.serverJvmOptions="..."} passes
 * options to the server JVM (e.g. a JFR recording).
 */
public final class RestLoadBenchmark {

  private static final int JOBS = 1_000;
  private static final String PATH = "/processing/jobs";
  /** As {@code ApiCommand.POOL_SIZE}: the connections the API shares with an in-process worker. */
  private static final int POOL_SIZE = 8;
  private static final Duration SERVER_MAX_LIFETIME = Duration.ofMinutes(15);
  private static final int SOCKET_TIMEOUT_MS = 10_000;
  private static final int MAX_CONNECTIONS = 256;

  private RestLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--server")) {
      serve(Path.of(args[1]));
      return;
    }
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    if (rate < 1 || rate > 20_000 || seconds < 1 || seconds > 120 || connections < 1 || connections > 256) {
      throw new IllegalArgumentException("Invalid rate/seconds/connections: " + rate + "/" + seconds + "/" + connections
          + " (expected 1..20000 req/s, 1..120 s, 1..256 connections)");
    }
    Path dir = Files.createTempDirectory("humpback-restbench");
    Server server = Server.start(dir);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong workerWrites = new AtomicLong();
    AtomicLong workerErrors = new AtomicLong();
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("humpback.db"), dir, 2,
        Database.DEFAULT_BUSY_TIMEOUT)) {
      Thread worker = Thread.ofPlatform().name("bench-worker").daemon()
          .start(() -> simulatedWorker(db, stop, workerWrites, workerErrors));
      try {
        System.out.printf(Locale.ROOT, "RestLoadBenchmark: GET %s (default page: 100 rows) with %d jobs in "
            + "processing_jobs, a worker writing progress every 100 ms, server in a child JVM (%s), %d cores shared "
            + "by client and server%n", PATH, JOBS, dir, Runtime.getRuntime().availableProcessors());
        describeResponse(server.port());
        Client client = new Client(server.port());
        // Warm-up, not counted: JIT (C2 compiles for several seconds), connections, pool.
        closedLoop(client, server, 4, Duration.ofSeconds(6), "warm-up", false);
        openLoop(client, server, Math.min(rate, 300), Duration.ofSeconds(3), false);
        System.out.printf(Locale.ROOT, "server idle CPU: %.2f ms/s (GC, timers)%n", server.idleCpuMillisPerSecond());
        closedLoop(client, server, 1, Duration.ofSeconds(Math.min(seconds, 5)), "1 connection, one at a time", true);
        long writesBefore = workerWrites.get();
        openLoop(client, server, rate, Duration.ofSeconds(seconds), true);
        closedLoop(client, server, connections, Duration.ofSeconds(seconds), connections + " connections, max throughput",
            true);
        System.out.printf(Locale.ROOT, "worker: %d queue writes during the measured runs, %d failed writes%n",
            workerWrites.get() - writesBefore, workerErrors.get());
        client.close();
      } finally {
        stop.set(true);
        worker.join(5_000);
      }
    } finally {
      server.close();
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Server side (child JVM)

  /** The child: seeds the table, serves, prints its port, and exits when the parent closes stdin (or dies). */
  private static void serve(Path dir) throws Exception {
    Thread.ofPlatform().daemon().start(() -> {
      LockSupport.parkNanos(SERVER_MAX_LIFETIME.toNanos());
      System.exit(2);
    });
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("humpback.db"), dir, POOL_SIZE,
        Database.DEFAULT_BUSY_TIMEOUT)) {
      seedJobs(db, JOBS);
      ModelRegistry models = new ModelRegistry(db.jdbi(), new ModelPaths(dir.resolve("models"), List.of()),
          config -> {
            throw new IllegalStateException("not used");
          });
      WebServer server = RestServer.start(db, models,
          new RestOptions("127.0.0.1", 0, dir.resolve("data"), 1024 * 1024, null, 3), AudioProbe.NONE);
      System.out.println("PORT " + server.port());
      System.out.flush();
      try {
        while (System.in.read() >= 0) {
          // The parent never writes; end of stream means it is done (or gone).
        }
      } finally {
        server.stop();
      }
    }
  }

  private static void seedJobs(Database db, int n) {
    AudioFile audio = new AudioFile(UUID.randomUUID().toString(), "bench.wav", "bench", "0".repeat(64), 60.0, 32000, 1,
        "/dev/null", Instant.now());
    db.dao(AudioFileDao.class).insert(audio);
    JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
    for (int i = 0; i < n; i++) {
      queue.enqueue(ProcessingJob.queued(audio.id(), String.format(Locale.ROOT, "%064x", i), "bench-model", 5.0,
          32000, "{\"n_mels\": 128}", 3));
    }
  }

  /** The child JVM running the API; its CPU time comes from the OS. */
  private static final class Server implements AutoCloseable {
    private final Process process;
    private final int port;

    private Server(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Server start(Path dir) throws IOException {
      String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
          "java").toString());
      List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
      // e.g. -Dhumpback.bench.serverJvmOptions="-XX:StartFlightRecording=filename=/tmp/server.jfr" to profile it.
      String extra = System.getProperty("humpback.bench.serverJvmOptions", "").trim();
      if (!extra.isEmpty()) {
        command.addAll(Arrays.asList(extra.split("\\s+")));
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), RestLoadBenchmark.class.getName(),
          "--server", dir.toString()));
      Process p = new ProcessBuilder(command).redirectError(dir.resolve("server.log").toFile()).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String line;
      while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
        if (line.startsWith("PORT ")) {
          // Keep reading whatever else the child prints, so a full pipe can never stall it.
          Thread.ofPlatform().daemon().name("bench-server-stdout").start(() -> {
            try {
              while (out.readLine() != null) {
                // discarded
              }
            } catch (IOException e) {
              // The child is gone.
            }
          });
          return new Server(p, Integer.parseInt(line.substring(5).trim()));
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("The server did not start; see " + dir.resolve("server.log"));
    }

    int port() {
      return port;
    }

    /** CPU time (user + system) the server process has used so far. */
    long cpuNanos() {
      return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    double idleCpuMillisPerSecond() {
      long before = cpuNanos();
      long t0 = System.nanoTime();
      LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      return (cpuNanos() - before) / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() throws InterruptedException {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // Already gone.
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Worker (this JVM, same database file)

  /** Claims, reports progress and completes jobs like a worker; each finished job is replaced by a fresh queued one. */
  private static void simulatedWorker(Database db, AtomicBoolean stop, AtomicLong writes, AtomicLong errors) {
    JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
    String workerId = "bench-worker";
    while (!stop.get()) {
      try {
        Optional<ProcessingJob> job = queue.claim(workerId);
        writes.incrementAndGet();
        if (job.isEmpty()) {
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
          continue;
        }
        for (int step = 1; step <= 5 && !stop.get(); step++) {
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
          queue.progress(job.get().id(), workerId, step * 10L, 50L, 100.0);
          writes.incrementAndGet();
        }
        queue.complete(job.get().id(), workerId);
        ProcessingJob j = job.get();
        queue.enqueue(ProcessingJob.queued(j.audioFileId(), UUID.randomUUID().toString().replace("-", "")
            + "0".repeat(32), j.modelVersion(), j.windowSizeSeconds(), j.targetSampleRate(), j.featureConfig(), 3));
        writes.addAndGet(2);
      } catch (RuntimeException e) {
        if (errors.incrementAndGet() == 1) {
          System.out.println("first worker error: " + e);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Load

  /** One request through the JDK's client: what is measured is a real page of jobs. */
  private static void describeResponse(int port) throws IOException, InterruptedException {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + PATH)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    com.fasterxml.jackson.databind.JsonNode page = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    if (r.statusCode() != 200 || !page.isArray() || page.isEmpty()) {
      throw new IllegalStateException("Unexpected response: HTTP " + r.statusCode() + " " + r.body());
    }
    System.out.printf(Locale.ROOT, "response: HTTP %d, %d jobs, %.1f KB, fields %s%n", r.statusCode(), page.size(),
        r.body().length() / 1024.0, iterable(page.get(0).fieldNames()));
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> out = new ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }

  /** Requests due at a fixed rate, each on its own virtual thread; latency from the due time. */
  private static void openLoop(Client client, Server server, int rate, Duration duration, boolean print)
      throws InterruptedException {
    int n = (int) (rate * duration.toSeconds());
    long[] latency = new long[n];
    Arrays.fill(latency, Long.MAX_VALUE);
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    double periodNanos = 1e9 / rate;
    long cpu0 = server.cpuNanos();
    long start = System.nanoTime() + 20_000_000L;
    int finished;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        long due = start + (long) (i * periodNanos);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int index = i;
        pool.execute(() -> {
          try {
            client.get(PATH);
            latency[index] = System.nanoTime() - due;
          } catch (IOException | RuntimeException e) {
            if (errors.incrementAndGet() == 1) {
              System.out.println("first error: " + e);
            }
          } finally {
            done.countDown();
          }
        });
      }
      done.await(SOCKET_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      finished = (int) (n - done.getCount());
      pool.shutdownNow();
    }
    long cpu = server.cpuNanos() - cpu0;
    double wall = (System.nanoTime() - start) / 1e9;
    if (print) {
      int answered = (int) Arrays.stream(latency).filter(l -> l != Long.MAX_VALUE).count();
      System.out.printf(Locale.ROOT, "open loop at %d req/s for %d s: %d requests, %.0f req/s answered, %s, "
              + "%d errors (%d unanswered), server CPU %.3f ms/request (%.0f%% of one core)%n", rate,
          duration.toSeconds(), n, answered / wall, percentiles(latency, answered), errors.get(), n - finished,
          cpu / 1e6 / Math.max(1, answered), 100.0 * cpu / 1e9 / wall);
    }
  }

  /** {@code connections} clients, each sending its next request when the last returns. */
  private static void closedLoop(Client client, Server server, int connections, Duration duration, String label,
      boolean print) throws InterruptedException {
    long[][] perClient = new long[connections][];
    int[] counts = new int[connections];
    AtomicInteger errors = new AtomicInteger();
    long cpu0 = server.cpuNanos();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < connections; c++) {
        long[] latencies = new long[(int) Math.min(2_000_000, duration.toSeconds() * 20_000)];
        perClient[c] = latencies;
        int clientIndex = c;
        pool.execute(() -> {
          int i = 0;
          while (System.nanoTime() < end && i < latencies.length) {
            long s = System.nanoTime();
            try {
              client.get(PATH);
              latencies[i++] = System.nanoTime() - s;
            } catch (IOException | RuntimeException e) {
              if (errors.incrementAndGet() == 1) {
                System.out.println("first error: " + e);
              }
            }
          }
          counts[clientIndex] = i;
        });
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    long cpu = server.cpuNanos() - cpu0;
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int k = 0;
    for (int c = 0; c < connections; c++) {
      System.arraycopy(perClient[c], 0, all, k, counts[c]);
      k += counts[c];
    }
    if (print) {
      System.out.printf(Locale.ROOT, "closed loop, %s, %d s: %d requests, %.0f req/s, %s, %d errors, "
              + "server CPU %.3f ms/request (%.0f%% of one core)%n", label, duration.toSeconds(), total, total / wall,
          percentiles(all, total), errors.get(), cpu / 1e6 / Math.max(1, total), 100.0 * cpu / 1e9 / wall);
    }
  }

  /** p50/p99/max of the first {@code count} values after sorting (unanswered ones sort last as Long.MAX_VALUE). */
  private static String percentiles(long[] nanos, int count) {
    if (count == 0) {
      return "no answers";
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted[(count - 1) / 2] / 1e6,
        sorted[(int) Math.ceil(count * 0.99) - 1] / 1e6, sorted[count - 1] / 1e6);
  }

  /**
   * A minimal HTTP/1.1 GET client over keep-alive sockets: one request at a time per connection, connections reused
   * from a pool and opened when none is idle. Only what this server sends is supported (a Content-Length body).
   */
  private static final class Client implements AutoCloseable {
    private final int port;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Connection> all = new ConcurrentLinkedDeque<>();
    /** At most this many connections; a request due when all are busy waits (and its wait counts as latency). */
    private final Semaphore open = new Semaphore(MAX_CONNECTIONS);

    Client(int port) {
      this.port = port;
    }

    /** Sends the request and reads the whole response; a status other than 200 is an exception. */
    void get(String path) throws IOException {
      try {
        open.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for a connection", e);
      }
      try {
        send(path);
      } finally {
        open.release();
      }
    }

    private void send(String path) throws IOException {
      Connection c = idle.pollFirst();
      if (c == null) {
        c = new Connection(port);
        all.add(c);
      }
      try {
        int status = c.get(path);
        if (status != 200) {
          throw new IOException("HTTP " + status);
        }
        idle.addFirst(c);
      } catch (IOException | RuntimeException e) {
        c.close();
        all.remove(c);
        throw e;
      }
    }

    @Override
    public void close() {
      all.forEach(Connection::close);
    }
  }

  private static final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] line = new byte[8192];
    private final byte[] sink = new byte[64 * 1024];

    Connection(int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MS);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    int get(String path) throws IOException {
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = readLine();
      if (!statusLine.startsWith("HTTP/1.1 ")) {
        throw new IOException("Unexpected status line: " + statusLine);
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      long length = -1;
      String header;
      while (!(header = readLine()).isEmpty()) {
        int colon = header.indexOf(':');
        if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("content-length")) {
          length = Long.parseLong(header.substring(colon + 1).trim());
        }
      }
      if (length < 0) {
        throw new IOException("No Content-Length in the response (status " + status + ")");
      }
      for (long left = length; left > 0; ) {
        int r = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (r < 0) {
          throw new IOException("Connection closed in the body");
        }
        left -= r;
      }
      return status;
    }

    private String readLine() throws IOException {
      int n = 0;
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("Connection closed in the headers");
        }
        if (b == '\n') {
          break;
        }
        if (n == line.length) {
          throw new IOException("Header line too long");
        }
        line[n++] = (byte) b;
      }
      if (n > 0 && line[n - 1] == '\r') {
        n--;
      }
      return new String(line, 0, n, StandardCharsets.US_ASCII);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }
}
