package org.humpback.pipelines;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Windows embedded so far per run, counted in this JVM as each batch finishes.
 *
 * <p>Why besides the {@code windows_embedded} Beam counter: runners publish a DoFn's counters when
 * its bundle commits, and a fused shard is one bundle, so the counter moves in whole shards (and
 * Flink answers only at the end). Workers in the launching JVM (direct runner, Flink {@code [local]})
 * add here per batch, so progress and cancellation see work as it happens; workers elsewhere (a
 * remote cluster) report through {@link ShardProgress} files in the run folder. A retried shard may
 * count twice here, so this is a progress figure, never a row count.
 */
final class LiveProgress {

  private static final ConcurrentHashMap<String, AtomicLong> RUNS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, AtomicInteger> ACTIVE = new ConcurrentHashMap<>();

  private LiveProgress() {}

  static void add(String runKey, long windows) {
    if (runKey != null && windows > 0) {
      RUNS.computeIfAbsent(runKey, k -> new AtomicLong()).addAndGet(windows);
    }
  }

  static long get(String runKey) {
    AtomicLong n = runKey == null ? null : RUNS.get(runKey);
    return n == null ? 0 : n.get();
  }

  /**
   * A shard of the run started (true) or ended (false) in this JVM. A cancelled direct runner reports
   * the run over while its worker threads may still be inside a shard, writing its part: the run's
   * output is discarded only once {@link #awaitNoShards} says they have left.
   */
  static void shardActive(String runKey, boolean started) {
    if (runKey == null) {
      return;
    }
    if (started) {
      ACTIVE.computeIfAbsent(runKey, k -> new AtomicInteger()).incrementAndGet();
    } else {
      ACTIVE.computeIfPresent(runKey, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /** Waits until no shard of the run is running in this JVM, at most {@code timeoutMillis}; true if none is. */
  static boolean awaitNoShards(String runKey, long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (runKey != null && ACTIVE.containsKey(runKey)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  static void forget(String runKey) {
    if (runKey != null) {
      RUNS.remove(runKey);
    }
  }
}
