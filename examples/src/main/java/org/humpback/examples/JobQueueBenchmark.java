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
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;

/**
 * Throughput and latency of the SQLite job queue: W worker threads drain N jobs, each doing the
 * full protocol of a real worker (claim, one progress report, complete), on a fresh WAL file.
 * Prints jobs/s, claim latency percentiles and the number of double claims (must be 0).
 *
 * <p>Usage: {@code java -cp ... org.humpback.examples.JobQueueBenchmark [jobs=2000] [threads=1,2,4,8]}
 */
public final class JobQueueBenchmark {

  private JobQueueBenchmark() {}

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int[] threadCounts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2, 4, 8};
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.out.printf(Locale.ROOT, "JobQueue benchmark: %d jobs per run, %d cores%n", jobs, Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%8s %10s %12s %12s %12s %14s%n", "threads", "jobs/s", "claim p50 ms", "claim p99 ms", "claim max ms", "double claims");
    for (int threads : threadCounts) {
      Path dir = Files.createTempDirectory("humpback-queue-bench");
      try (Database db = Database.open(dir.resolve("q.db").toString(), dir, Math.max(2, threads), Duration.ofSeconds(30))) {
        run(db, jobs, threads);
      } finally {
        try (var files = Files.walk(dir)) {
          files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static void run(Database db, int jobs, int threads) throws Exception {
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
    System.out.printf(Locale.ROOT, "%8d %10.0f %12.2f %12.2f %12.2f %14d%n", threads, claimed.size() / seconds,
        all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6, doubles.get());
    if (claimed.size() != jobs) {
      System.out.printf(Locale.ROOT, "  WARNING: %d of %d jobs claimed%n", claimed.size(), jobs);
    }
  }
}
