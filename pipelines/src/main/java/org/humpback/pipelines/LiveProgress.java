package org.humpback.pipelines;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Windows embedded so far per run, counted in this JVM as each batch finishes.
 *
 * <p>Why besides the {@code windows_embedded} Beam counter: runners publish a DoFn's counters when
 * its bundle commits, and a fused shard is one bundle, so the counter moves in whole shards (and
 * Flink answers only at the end). Workers in the launching JVM (direct runner, Flink {@code [local]})
 * add here per batch, so progress and cancellation see work as it happens; on a remote cluster
 * nothing is added here and the counter alone is used. A retried shard may count twice, so this is
 * a progress figure, never a row count.
 */
final class LiveProgress {

  private static final ConcurrentHashMap<String, AtomicLong> RUNS = new ConcurrentHashMap<>();

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

  static void forget(String runKey) {
    if (runKey != null) {
      RUNS.remove(runKey);
    }
  }
}
