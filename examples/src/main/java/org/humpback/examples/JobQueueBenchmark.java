package org.humpback.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.LocalPostgres;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;

/**
 * Throughput and latency of the job queue on both backends, side by side: W worker threads drain N
 * jobs, each doing the full protocol of a real worker (claim, one progress report, complete), on a
 * fresh SQLite WAL file and on a fresh database of a local PostgreSQL server this benchmark starts
 * ({@link LocalPostgres}, durable: fsync on, synchronous_commit off, like SQLite's synchronous=NORMAL).
 * Prints jobs/s, claim latency percentiles and the number of double claims (must be 0).
 *
 * <p>Usage: {@code java -cp ... org.humpback.examples.JobQueueBenchmark [jobs=2000] [threads=1,2,4,8]}
 */
public final class JobQueueBenchmark {

  private JobQueueBenchmark() {}

  /** One run's figures. */
  private record Result(double jobsPerSecond, double p50Ms, double p99Ms, double maxMs, int doubleClaims, int claimed) {}

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int[] threadCounts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2, 4, 8};
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    LocalPostgres postgres = null;
    if (LocalPostgres.findBinaries().isPresent()) {
      postgres = LocalPostgres.start(true);
    } else {
      System.out.println("PostgreSQL: skipped, " + LocalPostgres.whereLooked());
    }
    try {
      System.out.printf(Locale.ROOT, "JobQueue benchmark: %d jobs per run, %d cores%n", jobs, Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "%8s | %-44s | %-44s%n", "", "SQLite (WAL)", "PostgreSQL" + (postgres == null ? " (skipped)" : ""));
      String cols = String.format(Locale.ROOT, "%9s %8s %8s %8s %7s", "jobs/s", "p50 ms", "p99 ms", "max ms", "double");
      System.out.printf(Locale.ROOT, "%8s | %-44s | %-44s%n", "threads", cols, cols);
      for (int threads : threadCounts) {
        Result sqlite;
        Path dir = Files.createTempDirectory("humpback-queue-bench");
        try (Database db = Database.open(dir.resolve("q.db").toString(), dir, Math.max(2, threads), Duration.ofSeconds(30))) {
          sqlite = run(db, jobs, threads);
        } finally {
          try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
          }
        }
        Result pg = null;
        if (postgres != null) {
          try (Database db = Database.open(postgres.createDatabase("bench"), Math.max(2, threads), Duration.ofSeconds(30))) {
            pg = run(db, jobs, threads);
          }
        }
        System.out.printf(Locale.ROOT, "%8d | %-44s | %-44s%n", threads, format(sqlite), pg == null ? "-" : format(pg));
        for (Result r : pg == null ? List.of(sqlite) : List.of(sqlite, pg)) {
          if (r.claimed() != jobs) {
            System.out.printf(Locale.ROOT, "  WARNING: %d of %d jobs claimed%n", r.claimed(), jobs);
          }
        }
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private static String format(Result r) {
    return String.format(Locale.ROOT, "%9.0f %8.2f %8.2f %8.2f %7d", r.jobsPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(),
        r.doubleClaims());
  }

  private static Result run(Database db, int jobs, int threads) throws Exception {
    JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
    AudioFileDao files = db.dao(AudioFileDao.class);
    for (int i = 0; i < jobs; i++) {
      AudioFile f = new AudioFile(Ids.newId(), i + ".wav", "/bench", "sha-" + i, 60.0, 32000, 1, null, Timestamps.now());
      files.insert(f);
      queue.enqueue(ProcessingJob.queued(f.id(), "sig", "bench", 5.0, 32000, null, 3));
    }
    Map<String, Boolean> claimed = new ConcurrentHashMap<>();
    AtomicInteger doubles = new AtomicInteger();
    List<long[]> latencies = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String worker = "w" + t;
      results.add(pool.submit(() -> {
        start.await();
        long[] lat = new long[jobs + 1];
        int n = 0;
        while (true) {
          long t0 = System.nanoTime();
          Optional<ProcessingJob> c = queue.claim(worker);
          lat[n] = System.nanoTime() - t0;
          if (c.isEmpty()) {
            break;
          }
          n++;
          if (claimed.putIfAbsent(c.get().id(), true) != null) {
            doubles.incrementAndGet();
          }
          queue.progress(c.get().id(), worker, 1, 1L, 1.0);
          queue.complete(c.get().id(), worker);
        }
        return Arrays.copyOf(lat, n);
      }));
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Future<long[]> f : results) {
      latencies.add(f.get());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(claimed.size() / seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
        all[all.length - 1] / 1e6, doubles.get(), claimed.size());
  }
}
