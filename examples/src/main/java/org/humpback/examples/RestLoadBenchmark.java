package org.humpback.examples;

import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.models.ModelPaths;
import org.humpback.registry.models.ModelRegistry;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.RestOptions;
import org.humpback.rest.RestServer;
import org.humpback.rest.audio.AudioProbe;

/**
 * Prints p50/p99 latency and achieved req/s of {@code GET /processing/jobs} on loopback with 1,000 jobs in the table
 * while a worker writes to the same queue. Goal (issue 6): p99 < 20 ms at 1,000 req/s.
 *
 * <p>Open loop: request i is due at {@code start + i / rate}; latency counts from that due time, so a slow server is
 * not hidden by a client that waits (no coordinated omission). The "worker" is a thread doing what a worker does to
 * the table: claim a job, report progress every 100 ms, complete it (no model runs, so the CPU goes to the API and
 * SQLite, as it would with inference on other cores). Runs are bounded: a warm-up, then {@code seconds} per case.
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.RestLoadBenchmark [rate=1000] [seconds=10]}
 */
public final class RestLoadBenchmark {

  private RestLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    if (rate < 1 || rate > 20_000 || seconds < 1 || seconds > 120) {
      throw new IllegalArgumentException("Invalid rate/seconds: " + rate + "/" + seconds
          + " (expected 1..20000 req/s, 1..120 s)");
    }
    Path dir = Files.createTempDirectory("humpback-restbench");
    try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("humpback.db"), dir, 8,
        Database.DEFAULT_BUSY_TIMEOUT)) {
      seedJobs(db, 1000);
      ModelRegistry models = new ModelRegistry(db.jdbi(), new ModelPaths(dir.resolve("models"), List.of()),
          config -> { throw new IllegalStateException("not used"); });
      WebServer server = RestServer.start(db, models,
          new RestOptions("127.0.0.1", 0, dir.resolve("data"), 1024 * 1024, null, 3), AudioProbe.NONE);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong workerWrites = new AtomicLong();
      Thread worker = Thread.ofPlatform().name("bench-worker").start(() -> simulatedWorker(db, stop, workerWrites));
      try {
        String base = "http://127.0.0.1:" + server.port();
        System.out.printf(Locale.ROOT, "RestLoadBenchmark: 1000 jobs in processing_jobs, open loop at %d req/s for %d s "
            + "per case, %d cores%n", rate, seconds, Runtime.getRuntime().availableProcessors());
        run(base + "/processing/jobs", Math.min(rate, 200), 3, false); // warm-up: JIT, connection pool
        sequential(base + "/health", 2000);
        sequential(base + "/processing/jobs?limit=1", 2000);
        sequential(base + "/processing/jobs", 2000);
        run(base + "/processing/jobs", rate, seconds, true);
        run(base + "/processing/jobs?limit=1000", Math.max(1, rate / 4), seconds, true);
        System.out.printf(Locale.ROOT, "worker: %d queue writes during the runs%n", workerWrites.get());
      } finally {
        stop.set(true);
        worker.join();
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

  /** Claims, heartbeats and completes jobs like a worker, re-queueing by enqueueing fresh ones so the table stays full. */
  private static void simulatedWorker(Database db, AtomicBoolean stop, AtomicLong writes) {
    JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
    String workerId = "bench-worker";
    while (!stop.get()) {
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
    }
  }

  /** One client, one request at a time: the server's own cost per request, with no queueing. */
  private static void sequential(String url, int n) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
    long[] lat = new long[n];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      lat[i] = System.nanoTime() - s;
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Arrays.sort(lat);
    System.out.printf(Locale.ROOT, "GET %s, 1 client closed loop: %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms%n",
        url.substring(url.indexOf("/", 8)), n, n / wall, lat[n / 2] / 1e6, lat[(int) (n * 0.99) - 1] / 1e6);
  }

  private static void run(String url, int rate, int seconds, boolean print) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    int n = rate * seconds;
    long[] latencyNanos = new long[n];
    AtomicInteger errors = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    CountDownLatch done = new CountDownLatch(n);
    long periodNanos = 1_000_000_000L / rate;
    long start = System.nanoTime() + 50_000_000L;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        long due = start + i * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int index = i;
        pool.submit(() -> {
          try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
              errors.incrementAndGet();
            }
            bytes.addAndGet(r.body().length);
          } catch (Exception e) {
            if (errors.incrementAndGet() == 1) {
              System.out.println("first error: " + e);
            }
          } finally {
            latencyNanos[index] = System.nanoTime() - due;
            done.countDown();
          }
        });
      }
      done.await();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    if (!print) {
      return;
    }
    Arrays.sort(latencyNanos);
    System.out.printf(Locale.ROOT, "GET %s: %d requests, %.0f req/s achieved, p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
            + "%d errors, %.1f KB/response%n", url.substring(url.indexOf("/processing")), n, n / wall,
        latencyNanos[n / 2] / 1e6, latencyNanos[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
        latencyNanos[n - 1] / 1e6, errors.get(), bytes.get() / 1024.0 / n);
  }
}
