package org.humpback.rest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.LocalPostgres;
import org.humpback.registry.db.PostgresUrl;
import org.humpback.rest.TestAudio;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, workers on several hosts: {@code ./humpback api} in one process and three {@code ./humpback worker}
 * processes, each a "host" with its own working directory, temp folder and {@code HUMPBACK_HOME}, share one PostgreSQL
 * database ({@code HUMPBACK_DATABASE_URL}) and one storage root (a folder all of them mount at the same path, as an
 * NFS export would be). 300 short recordings are uploaded through the API and encoded by a real tiny TFLite model;
 * the second half arrives, with metadata, while the workers drain the first. One worker is killed with SIGKILL while
 * it holds jobs: after its heartbeat goes stale another worker's sweep requeues them and another worker finishes them.
 * Every job completes, each ran once (attempts 1) but the killed worker's (attempts 2), none is left queued or
 * running, and every file has one embedding set whose Parquet file is complete.
 */
class SeveralHostsTest {

  static final int EARLY = 150;
  static final int LATE = 150;
  /**
   * The worker's heartbeat is 5 s and the stale threshold must be at least twice that; more, so that a worker slowed
   * down by a loaded machine (between its claim and its run's first heartbeat) does not lose its jobs.
   */
  static final int STALE_SECONDS = 20;

  @TempDir Path dir;

  @Test
  void threeWorkerHostsDrainTheApisJobsAndAKilledWorkersJobsAreFinishedByAnother() throws Exception {
    Assumptions.assumeTrue(LocalPostgres.findBinaries().isPresent(),
        () -> "PostgreSQL tests skipped: " + LocalPostgres.whereLooked());
    long t0 = System.nanoTime();
    try (LocalPostgres pg = LocalPostgres.start(false)) {
      PostgresUrl url = pg.createDatabase("hosts");
      Path storage = Files.createDirectories(dir.resolve("nfs/storage"));
      Path models = Files.createDirectories(dir.resolve("nfs/models"));
      Map<String, String> env = Map.of(
          "HUMPBACK_DATABASE_URL", url.jdbcUrl() + "?user=" + url.user(),
          "HUMPBACK_STORAGE_ROOT", storage.toString(),
          "HUMPBACK_MODELS_DIR", models.toString());
      Map<String, String> apiEnv = new HashMap<>(env);
      apiEnv.put("HUMPBACK_PORT", "0");

      List<HumpbackProcess> started = new ArrayList<>();
      try (Database db = Database.open(url, 2, Duration.ofSeconds(10))) {
        HumpbackProcess api = HumpbackProcess.start("api", dir.resolve("api-host"), apiEnv, "api");
        started.add(api);
        ApiClient client = new ApiClient(awaitServing(api));

        // A waveform model of 0.5 s at 16 kHz: [-1, 8000] -> dense -> [-1, 8], in the shared models folder.
        TinyModels.writeTfLite(models.resolve("tiny.tflite"), TinyModels.dense(8000, 8, 7), true);
        client.send("POST", "/admin/models", "{\"path\": \"tiny.tflite\", \"name\": \"tiny\", \"sample_rate\": 16000, "
            + "\"window_seconds\": 0.5, \"is_default\": true}", 201);
        Set<String> jobIds = ConcurrentHashMap.newKeySet();
        List<String> early = new ArrayList<>();
        for (int i = 0; i < EARLY; i++) {
          early.add(client.upload("early-" + i + ".wav", TestAudio.wav(1.0, 16_000, 60 + i), "early")
              .get("id").asText());
        }
        for (JsonNode job : client.send("POST", "/processing/jobs", "{\"audio_file_ids\": "
            + org.humpback.rest.Json.MAPPER.writeValueAsString(early) + "}", 201)) {
          jobIds.add(job.get("id").asText());
        }

        Map<String, HumpbackProcess> workers = new TreeMap<>();
        for (String host : List.of("hostA", "hostB", "hostC")) {
          HumpbackProcess w = HumpbackProcess.start(host, dir.resolve(host), env, "worker", "--worker-id", host,
              "--poll-seconds", "0.2", "--stale-seconds", String.valueOf(STALE_SECONDS));
          started.add(w);
          workers.put(host, w);
        }

        // The API's writes while the workers drain: new recordings, their metadata, one job each.
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
          try {
            for (int i = 0; i < LATE; i++) {
              String id = client.upload("late-" + i + ".wav", TestAudio.wav(1.0, 16_000, 60 + EARLY + i), "late")
                  .get("id").asText();
              client.send("PUT", "/audio/" + id + "/metadata", "{\"tag_data\": {\"deployment\": \"late\", \"n\": "
                  + i + "}}", 200);
              jobIds.add(client.send("POST", "/processing/jobs", "{\"audio_file_id\": \"" + id + "\"}", 201)
                  .get("id").asText());
            }
          } catch (Throwable e) {
            writerFailed.set(e);
          }
        }, "api-writes");
        writer.start();

        // Kill hostA as soon as it holds jobs: the jobs it claimed stay 'running' under its name.
        ProcessingJobDao jobs = db.dao(ProcessingJobDao.class);
        List<String> held = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (held.isEmpty() && System.nanoTime() < deadline && workers.get("hostA").process.isAlive()) {
          held = runningOn(jobs, "hostA");
          if (held.isEmpty()) {
            Thread.sleep(10);
          }
        }
        assertFalse(held.isEmpty(), () -> "hostA never held a job\n" + workers.get("hostA").logTail());
        workers.get("hostA").kill();
        held = runningOn(jobs, "hostA");
        assertFalse(held.isEmpty(), "hostA finished its jobs before the kill landed; nothing to requeue");
        System.out.printf("load average %.1f; killed hostA after %.1f s holding %d job(s)%n", loadAverage(),
            (System.nanoTime() - t0) / 1e9, held.size());

        writer.join(Duration.ofSeconds(180).toMillis());
        assertFalse(writer.isAlive(), "the API's writes did not finish");
        if (writerFailed.get() != null) {
          throw new AssertionError("an API write failed", writerFailed.get());
        }
        assertEquals(EARLY + LATE, jobIds.size());
        // Wait while jobs keep completing: a loaded machine is slow, not stuck (on 2 cores shared with a load
        // average of 30, a worker's first run of 64 files took minutes). Five minutes without one is stuck.
        long complete = 0;
        long lastProgress = System.nanoTime();
        while (complete < jobIds.size() && System.nanoTime() - lastProgress < Duration.ofMinutes(5).toNanos()) {
          Thread.sleep(200);
          long now = jobs.countByStatus(JobStatus.COMPLETE);
          if (now > complete) {
            complete = now;
            lastProgress = System.nanoTime();
          }
        }
        double drained = (System.nanoTime() - t0) / 1e9;

        // Every job complete, none stuck or failed; each ran once, but the killed worker's jobs twice.
        Map<JobStatus, Long> byStatus = new TreeMap<>();
        for (JobStatus s : JobStatus.values()) {
          byStatus.put(s, jobs.countByStatus(s));
        }
        assertEquals(Map.of(JobStatus.COMPLETE, (long) jobIds.size()), byStatus.entrySet().stream()
                .filter(e -> e.getValue() > 0).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
            () -> "job states " + byStatus + "\n" + workers.values().stream().map(HumpbackProcess::logTail)
                .collect(Collectors.joining("\n")));
        Map<String, Integer> byWorker = new TreeMap<>();
        for (String id : jobIds) {
          ProcessingJob j = jobs.findById(id).orElseThrow();
          byWorker.merge(j.workerId(), 1, Integer::sum);
          if (held.contains(id)) {
            assertEquals(2, j.attempts(), j::toString);
            assertTrue(Set.of("hostB", "hostC").contains(j.workerId()), j::toString);
          } else {
            assertEquals(1, j.attempts(), j::toString);
          }
        }

        // What the workers printed: no job finished twice, none failed or was lost.
        for (String host : List.of("hostB", "hostC")) {
          workers.get(host).close(); // SIGTERM: graceful
        }
        Map<String, List<String>> finishedBy = new HashMap<>();
        for (HumpbackProcess w : workers.values()) {
          for (String line : w.output()) {
            String[] p = line.split(" ");
            if (p.length > 3 && p[1].equals("job")) {
              assertTrue(p[3].equals("completed") || p[3].equals("skipped"), () -> w.name + ": " + line);
              finishedBy.computeIfAbsent(p[2], k -> new ArrayList<>()).add(p[0]);
            }
          }
        }
        assertEquals(Map.of(), finishedBy.entrySet().stream().filter(e -> e.getValue().size() > 1)
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "jobs finished more than once");
        for (String id : held) {
          assertEquals(1, finishedBy.getOrDefault(id, List.of()).size(), "held job " + id + ": " + finishedBy.get(id));
        }

        // One embedding set per recording, each a complete Parquet file in the shared storage root.
        JsonNode sets = client.getJson("/processing/embedding-sets?limit=1000");
        assertEquals(EARLY + LATE, sets.size());
        assertEquals(EARLY + LATE, sets.findValuesAsText("audio_file_id").stream().distinct().count());
        for (JsonNode s : sets) {
          assertEquals(2, s.get("row_count").asInt(), s::toString);
          Path parquet = storage.resolve(s.get("parquet_path").asText());
          assertEquals(java.util.Optional.empty(),
              EmbeddingParquet.problem(parquet.toString(), s.get("encoding_signature").asText()), s::toString);
        }
        // The workers wrote nothing into their own folders but their temp files and logs.
        for (HumpbackProcess w : workers.values()) {
          try (var files = Files.list(w.home)) {
            assertEquals(Set.of("tmp", w.name + ".log"),
                files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), w.name);
          }
        }
        System.out.printf("load average %.1f; %d jobs drained by 3 worker processes in %.1f s (jobs per worker %s);"
            + " the %d held by the killed one finished by another%n", loadAverage(), jobIds.size(), drained, byWorker,
            held.size());
      } finally {
        for (HumpbackProcess p : started) {
          p.close();
          p.keepLogs(Path.of("target/several-hosts"));
        }
      }
    }
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** The ids of the jobs {@code workerId} holds. */
  private static List<String> runningOn(ProcessingJobDao jobs, String workerId) {
    return jobs.listByStatus(JobStatus.RUNNING, 10_000, 0).stream()
        .filter(j -> workerId.equals(j.workerId())).map(ProcessingJob::id).toList();
  }

  /** The API's base URL, from the line {@code api} prints once it serves. */
  private static String awaitServing(HumpbackProcess api) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      String line = api.nextLine(0.5);
      if (line != null && line.contains("serving http://")) {
        String url = line.substring(line.indexOf("http://"));
        return url.substring(0, url.indexOf(' '));
      }
      if (line == null && !api.process.isAlive()) {
        break;
      }
    }
    throw new AssertionError("the API did not start: " + api.output() + "\n" + api.logTail());
  }
}
