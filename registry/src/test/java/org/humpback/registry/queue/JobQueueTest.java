package org.humpback.registry.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.humpback.registry.OnBothBackends;
import org.humpback.registry.TestBackend;
import org.humpback.registry.TestDatabases;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.ClusteringJob;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The queue's transitions, on SQLite and on PostgreSQL. */
class JobQueueTest {

  @TempDir Path dir;
  Database db;
  JobQueue<ProcessingJob> queue;
  AudioFile file;

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    volatile Instant now = Instant.parse("2026-03-01T12:00:00Z");

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
    void advance(Duration d) { now = now.plus(d); }
  }

  @BeforeEach
  void open(TestBackend backend) {
    db = backend.open(dir);
    queue = JobQueue.processing(db.jdbi());
    file = TestDatabases.audioFile(db, "sha-a");
  }

  @AfterEach
  void close() {
    db.close();
  }

  private ProcessingJob job(AudioFile f, String signature) {
    return ProcessingJob.queued(f.id(), signature, "yamnet", 5.0, 32000, "{\"n_mels\":128}", 3);
  }

  @OnBothBackends
  void claimTakesOldestQueuedAndRecordsOwner() {
    ProcessingJob first = queue.enqueue(job(file, "sig-1"));
    AudioFile other = TestDatabases.audioFile(db, "sha-b");
    queue.enqueue(job(other, "sig-1"));
    ProcessingJob claimed = queue.claim("w1").orElseThrow();
    assertEquals(first.id(), claimed.id());
    assertEquals(JobStatus.RUNNING, claimed.status());
    assertEquals("w1", claimed.workerId());
    assertEquals(1, claimed.attempts());
    assertNotNull(claimed.heartbeatAt());
    assertNotNull(claimed.startedAt());
    assertEquals("{\"n_mels\":128}", claimed.featureConfig());
  }

  @OnBothBackends
  void sameFileAndSignatureNeverRunTogether() {
    ProcessingJob a = queue.enqueue(job(file, "sig-1"));
    ProcessingJob b = queue.enqueue(job(file, "sig-1"));
    ProcessingJob c = queue.enqueue(job(file, "sig-2"));
    assertEquals(a.id(), queue.claim("w1").orElseThrow().id());
    // b has the running job's file and signature: skipped; c is another encoding.
    assertEquals(c.id(), queue.claim("w2").orElseThrow().id());
    assertTrue(queue.claim("w3").isEmpty());
    assertTrue(queue.complete(a.id(), "w1"));
    assertEquals(b.id(), queue.claim("w3").orElseThrow().id());
  }

  @OnBothBackends
  void heartbeatAndProgressOnlyForOwner() {
    ProcessingJob j = queue.enqueue(job(file, "s"));
    queue.claim("w1").orElseThrow();
    assertEquals(JobQueue.Heartbeat.OWNED, queue.heartbeat(j.id(), "w1"));
    assertEquals(JobQueue.Heartbeat.LOST, queue.heartbeat(j.id(), "intruder"));
    assertEquals(JobQueue.Heartbeat.OWNED, queue.progress(j.id(), "w1", 30, 120L, 55.5));
    ProcessingJob now = queue.find(j.id()).orElseThrow();
    assertEquals(0.25, now.progress(), 1e-12);
    assertEquals(30, now.windowsDone());
    assertEquals(120L, now.windowsTotal());
    assertEquals(55.5, now.windowsPerSecond());
    // A report without a total keeps the known total and progress.
    assertEquals(JobQueue.Heartbeat.OWNED, queue.progress(j.id(), "w1", 31, null, null));
    ProcessingJob later = queue.find(j.id()).orElseThrow();
    assertEquals(31, later.windowsDone());
    assertEquals(120L, later.windowsTotal());
    assertEquals(0.25, later.progress(), 1e-12);
    assertEquals(55.5, later.windowsPerSecond());
    assertFalse(queue.complete(j.id(), "intruder"));
    assertTrue(queue.complete(j.id(), "w1"));
    ProcessingJob done = queue.find(j.id()).orElseThrow();
    assertEquals(JobStatus.COMPLETE, done.status());
    assertEquals(1.0, done.progress());
    assertNotNull(done.finishedAt());
    assertEquals(JobQueue.Heartbeat.LOST, queue.heartbeat(j.id(), "w1"));
  }

  @OnBothBackends
  void failRecordsMessage() {
    ProcessingJob j = queue.enqueue(job(file, "s"));
    queue.claim("w1");
    assertTrue(queue.fail(j.id(), "w1", "cannot decode /x.mp3 at byte 1234"));
    ProcessingJob f = queue.find(j.id()).orElseThrow();
    assertEquals(JobStatus.FAILED, f.status());
    assertEquals("cannot decode /x.mp3 at byte 1234", f.errorMessage());
    assertTrue(queue.claim("w2").isEmpty(), "failed jobs are not retried by claim");
  }

  @OnBothBackends
  void cancelPaths() {
    ProcessingJob queued = queue.enqueue(job(file, "s1"));
    assertEquals(JobQueue.CancelOutcome.CANCELED, queue.cancel(queued.id()));
    assertEquals(JobStatus.CANCELED, queue.status(queued.id()).orElseThrow());
    assertTrue(queue.claim("w1").isEmpty(), "a canceled job is never claimed");

    ProcessingJob running = queue.enqueue(job(file, "s2"));
    queue.claim("w1").orElseThrow();
    assertEquals(JobQueue.CancelOutcome.REQUESTED, queue.cancel(running.id()));
    assertEquals(JobStatus.RUNNING, queue.status(running.id()).orElseThrow());
    assertEquals(JobQueue.Heartbeat.CANCEL_REQUESTED, queue.heartbeat(running.id(), "w1"));
    assertEquals(JobQueue.Heartbeat.CANCEL_REQUESTED, queue.progress(running.id(), "w1", 1, 2L, null));
    assertTrue(queue.acknowledgeCancel(running.id(), "w1"));
    assertEquals(JobStatus.CANCELED, queue.status(running.id()).orElseThrow());

    assertEquals(JobQueue.CancelOutcome.ALREADY_FINISHED, queue.cancel(running.id()));
    assertEquals(JobQueue.CancelOutcome.NOT_FOUND, queue.cancel("no-such-job"));
  }

  /** Issue 15 item 1: a completion never overrides an accepted cancel, and a cancel after completion is refused. */
  @OnBothBackends
  void finishHonoursACancelRequestedBeforeIt() {
    java.util.concurrent.atomic.AtomicBoolean stored = new java.util.concurrent.atomic.AtomicBoolean();
    ProcessingJob a = queue.enqueue(job(file, "f1"));
    queue.claim("w1").orElseThrow();
    assertEquals(JobQueue.CancelOutcome.REQUESTED, queue.cancel(a.id()));
    assertEquals(JobQueue.Finish.CANCELED, queue.finish(a.id(), "w1", h -> stored.set(true)));
    assertFalse(stored.get(), "a canceled job's results are not stored");
    assertEquals(JobStatus.CANCELED, queue.status(a.id()).orElseThrow());

    ProcessingJob b = queue.enqueue(job(file, "f2"));
    queue.claim("w1").orElseThrow();
    assertEquals(JobQueue.Finish.COMPLETED, queue.finish(b.id(), "w1", h -> stored.set(true)));
    assertTrue(stored.get());
    assertEquals(JobQueue.CancelOutcome.ALREADY_FINISHED, queue.cancel(b.id()));
    assertEquals(JobQueue.Finish.LOST, queue.finish(b.id(), "w1", h -> {}));

    ProcessingJob c = queue.enqueue(job(file, "f3"));
    queue.claim("w1").orElseThrow();
    queue.cancel(c.id());
    assertTrue(queue.fail(c.id(), "w1", "cannot decode"));
    assertEquals(JobStatus.CANCELED, queue.status(c.id()).orElseThrow(), "a requested cancel wins over a failure");
  }

  @OnBothBackends
  void staleJobsAreRequeuedFreshOnesNever() {
    MutableClock clock = new MutableClock();
    JobQueue<ProcessingJob> q = queue.withClock(clock);
    ProcessingJob stale = q.enqueue(job(file, "s1"));
    ProcessingJob fresh = q.enqueue(job(file, "s2"));
    q.claim("dead-worker").orElseThrow();
    clock.advance(Duration.ofSeconds(50));
    q.claim("live-worker").orElseThrow();
    clock.advance(Duration.ofSeconds(20));
    assertEquals(JobQueue.Heartbeat.OWNED, q.heartbeat(fresh.id(), "live-worker"));

    // dead-worker's heartbeat is 70 s old, live-worker's 0 s.
    List<JobQueueDao.Transition> moved = q.requeueStale(Duration.ofSeconds(60));
    assertEquals(List.of(new JobQueueDao.Transition(stale.id(), JobStatus.QUEUED)), moved);
    assertEquals(JobStatus.RUNNING, q.status(fresh.id()).orElseThrow());
    ProcessingJob requeued = q.find(stale.id()).orElseThrow();
    assertEquals(JobStatus.QUEUED, requeued.status());
    assertTrue(requeued.workerId() == null);
    assertTrue(requeued.errorMessage().contains("dead-worker"), requeued.errorMessage());

    // The dead worker comes back: it lost the job and cannot complete it.
    assertEquals(JobQueue.Heartbeat.LOST, q.heartbeat(stale.id(), "dead-worker"));
    assertFalse(q.complete(stale.id(), "dead-worker"));

    ProcessingJob again = q.claim("w3").orElseThrow();
    assertEquals(stale.id(), again.id());
    assertEquals(2, again.attempts());

    // A fresh heartbeat exactly at the threshold edge is not stale.
    clock.advance(Duration.ofSeconds(59));
    assertTrue(q.requeueStale(Duration.ofSeconds(60)).stream().noneMatch(t -> t.id().equals(stale.id())));
  }

  @OnBothBackends
  void failsAfterMaxAttemptsWithLastError() {
    MutableClock clock = new MutableClock();
    JobQueue<ProcessingJob> q = queue.withClock(clock);
    ProcessingJob j = q.enqueue(ProcessingJob.queued(file.id(), "s", "yamnet", 5.0, 32000, null, 2));
    for (int attempt = 1; attempt <= 2; attempt++) {
      ProcessingJob c = q.claim("w" + attempt).orElseThrow();
      assertEquals(attempt, c.attempts());
      clock.advance(Duration.ofMinutes(5));
      List<JobQueueDao.Transition> moved = q.requeueStale(Duration.ofMinutes(1));
      assertEquals(attempt == 1 ? JobStatus.QUEUED : JobStatus.FAILED, moved.get(0).status());
    }
    ProcessingJob failed = q.find(j.id()).orElseThrow();
    assertEquals(JobStatus.FAILED, failed.status());
    assertTrue(failed.errorMessage().startsWith("failed after 2 attempt(s): worker w2 stopped sending heartbeats"), failed.errorMessage());
    assertNotNull(failed.finishedAt());
    assertTrue(q.claim("w9").isEmpty());
  }

  @OnBothBackends
  void staleJobWithPendingCancelBecomesCanceled() {
    MutableClock clock = new MutableClock();
    JobQueue<ProcessingJob> q = queue.withClock(clock);
    ProcessingJob j = q.enqueue(job(file, "s"));
    q.claim("w1");
    q.cancel(j.id());
    clock.advance(Duration.ofMinutes(5));
    assertEquals(JobStatus.CANCELED, q.requeueStale(Duration.ofMinutes(1)).get(0).status());
  }

  /**
   * Many jobs of a few (file, signature) keys, claimed by concurrent threads: two jobs of one key never run at once.
   * On PostgreSQL two claims can pick jobs of one key at the same moment; the *_one_running index refuses the
   * second and the claim tries again.
   */
  @OnBothBackends
  void concurrentClaimsNeverRunTwoJobsOfOneKey() throws Exception {
    List<AudioFile> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      files.add(TestDatabases.audioFile(db, "key-" + i));
    }
    int jobs = 30;
    for (int i = 0; i < jobs; i++) {
      queue.enqueue(job(files.get(i % files.size()), "sig"));
    }
    Map<String, String> runningByFile = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      String worker = "thread-" + w;
      done.add(pool.submit(() -> {
        start.await();
        for (Optional<ProcessingJob> c = queue.claim(worker); c.isPresent(); c = queue.claim(worker)) {
          ProcessingJob j = c.get();
          if (runningByFile.putIfAbsent(j.audioFileId(), j.id()) != null) {
            overlaps.incrementAndGet();
          }
          Thread.sleep(2);
          runningByFile.remove(j.audioFileId(), j.id());
          assertTrue(queue.complete(j.id(), worker));
          completed.incrementAndGet();
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(0, overlaps.get(), "two jobs of one file and signature ran at once");
    assertEquals(jobs, completed.get());
  }

  @OnBothBackends
  void concurrentWorkersClaimEveryJobExactlyOnce() throws Exception {
    int jobs = 200;
    int workers = 4;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      AudioFile f = TestDatabases.audioFile(db, "sha-" + i);
      ids.add(queue.enqueue(job(f, "sig")).id());
    }
    Map<String, String> claimedBy = new ConcurrentHashMap<>();
    AtomicInteger doubleClaims = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Future<Integer>> done = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      String worker = "thread-" + w;
      done.add(pool.submit(() -> {
        start.await();
        int n = 0;
        for (Optional<ProcessingJob> c = queue.claim(worker); c.isPresent(); c = queue.claim(worker)) {
          if (claimedBy.putIfAbsent(c.get().id(), worker) != null) {
            doubleClaims.incrementAndGet();
          }
          queue.progress(c.get().id(), worker, 1, 1L, 10.0);
          if (!queue.complete(c.get().id(), worker)) {
            throw new AssertionError("lost job " + c.get().id());
          }
          n++;
        }
        return n;
      }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : done) {
      total += f.get();
    }
    pool.shutdown();
    assertEquals(0, doubleClaims.get());
    assertEquals(jobs, total);
    assertEquals(jobs, claimedBy.size());
    assertTrue(claimedBy.keySet().containsAll(ids));
    assertEquals(0, db.dao(org.humpback.registry.dao.ProcessingJobDao.class).countByStatus(JobStatus.QUEUED));
    assertEquals(jobs, db.dao(org.humpback.registry.dao.ProcessingJobDao.class).countByStatus(JobStatus.COMPLETE));
  }

  @OnBothBackends
  void clusteringQueueUsesConcurrencyKey() {
    JobQueue<ClusteringJob> cq = JobQueue.clustering(db.jdbi());
    ClusteringJob a = cq.enqueue(ClusteringJob.queued(List.of("es1", "es2"), "{\"min_cluster_size\":5}", "k", 3));
    ClusteringJob b = cq.enqueue(ClusteringJob.queued(List.of("es1"), null, "k", 3));
    ClusteringJob c = cq.enqueue(ClusteringJob.queued(List.of("es3"), null, null, 3));
    ClusteringJob claimed = cq.claim("w").orElseThrow();
    assertEquals(a.id(), claimed.id());
    assertEquals(List.of("es1", "es2"), claimed.embeddingSetIdList());
    assertEquals(c.id(), cq.claim("w").orElseThrow().id());
    assertTrue(cq.claim("w").isEmpty());
    cq.complete(a.id(), "w");
    assertEquals(b.id(), cq.claim("w").orElseThrow().id());
  }
}
