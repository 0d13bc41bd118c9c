package org.humpback.pipelines;

import org.humpback.transforms.beam.EmbeddingParquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.humpback.registry.dao.AudioFile;
import org.humpback.registry.dao.AudioFileDao;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.Ids;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ModelRecord;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.db.Database;
import org.humpback.registry.db.Timestamps;
import org.humpback.registry.queue.JobQueue;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input of the front-end issue, submitted as a job to one worker: the undecodable ones end
 * {@code failed} with a message naming the file and the problem, the damaged-but-readable ones
 * complete with what they hold, and the worker goes on to the next job every time.
 */
class BadInputJobsTest {

  @Test
  void eachBadInputEndsFailedWithAReadableMessageOrCompletesAndTheWorkerGoesOn(@TempDir Path home) throws Exception {
    Path raw = home.resolve("data/audio/raw");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("zero-byte.wav", Files.write(dir(raw, "zero"), new byte[0]));
    files.put("text.wav", Files.writeString(dir(raw, "text"), "These are field notes, not a recording.\n"));
    files.put("rate-0hz.wav", Files.write(dir(raw, "rate0"), wav(1, 0, 1, new float[100])));
    files.put("rate-1hz.wav", Files.write(dir(raw, "rate1"), wav(1, 1, 1, new float[100])));
    byte[] full = Files.readAllBytes(SharedCorpus.audio("humpback/glacier-bay-humpback.mp3"));
    files.put("truncated.mp3", Files.write(dir(raw, "truncmp3"), Arrays.copyOf(full, full.length / 3)));
    byte[] wav = wav(1, 22050, 1, tone(22050 * 4, 22050));
    files.put("short-data.wav", Files.write(dir(raw, "shortdata"), Arrays.copyOf(wav, 44 + (wav.length - 44) / 2)));
    float[] withNaN = tone(22050 * 3, 22050);
    withNaN[100] = Float.NaN;
    withNaN[2000] = Float.POSITIVE_INFINITY;
    withNaN[3000] = Float.NEGATIVE_INFINITY;
    files.put("nan-inf.wav", Files.write(dir(raw, "naninf"), wav(3, 22050, 1, withNaN)));
    files.put("six-channels.wav", Files.write(dir(raw, "six"), wav(1, 48000, 6, tone(48000 * 2 * 6, 48000))));
    Path good = Fixtures.chirpWav(raw.resolve("good/original.wav"), 3.0, 22050, 3);
    files.put("good.wav", good);

    try (Database db = Fixtures.openDb(home)) {
      ModelRecord yamnet = Fixtures.registerYamnet(db);
      JobQueue<ProcessingJob> queue = JobQueue.processing(db.jdbi());
      Map<String, ProcessingJob> jobs = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : files.entrySet()) {
        // Rows are inserted directly: the import's probe would refuse most of these files at the door.
        AudioFile af = new AudioFile(Ids.newId(), e.getKey(), "bad-inputs", sha(e.getKey()), 1.0, 22050, 1,
            e.getValue().toString(), Timestamps.now());
        db.dao(AudioFileDao.class).insert(af);
        jobs.put(e.getKey(), queue.enqueue(Fixtures.job(af.id(), yamnet, null)));
      }
      JobRunner runner = new JobRunner(db, home, home.resolve("data"), Fixtures.testSettings("w-bad"), new JobRunner.Listener() {});
      Worker worker = new Worker(runner, queue, Duration.ZERO, Duration.ofSeconds(30), true);
      worker.run();
      assertEquals(files.size(), worker.jobsRun(), "the worker ran every job");

      for (String name : new String[] {"zero-byte.wav", "text.wav", "rate-0hz.wav", "rate-1hz.wav"}) {
        ProcessingJob j = queue.find(jobs.get(name).id()).orElseThrow();
        assertEquals(JobStatus.FAILED, j.status(), name);
        assertNotNull(j.errorMessage(), name);
        System.out.println(name + " -> failed: " + j.errorMessage());
        assertTrue(j.errorMessage().contains(name), name + ": " + j.errorMessage());
        assertTrue(!j.errorMessage().contains("Exception:") && !j.errorMessage().contains("\tat "),
            name + ": a message for people, not a stack trace: " + j.errorMessage());
      }
      for (String name : new String[] {"truncated.mp3", "short-data.wav", "nan-inf.wav", "six-channels.wav", "good.wav"}) {
        ProcessingJob j = queue.find(jobs.get(name).id()).orElseThrow();
        assertEquals(JobStatus.COMPLETE, j.status(), name + ": " + j.errorMessage());
        var set = db.dao(EmbeddingSetDao.class).findByAudioFileAndSignature(j.audioFileId(), j.encodingSignature()).orElseThrow();
        assertTrue(set.rowCount() >= 1, name);
        for (var row : EmbeddingParquet.read(set.parquetPath()).rows()) {
          for (float v : row.embedding()) {
            assertTrue(Float.isFinite(v), name + ": non-finite value in row " + row.rowIndex());
          }
        }
      }
    }
  }

  private static Path dir(Path raw, String id) throws Exception {
    Path p = raw.resolve(id).resolve("original.wav");
    Files.createDirectories(p.getParent());
    return p;
  }

  private static String sha(String name) {
    return String.format("%064x", new java.math.BigInteger(1, name.getBytes(StandardCharsets.UTF_8)));
  }

  private static float[] tone(int n, int rate) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / rate));
    }
    return x;
  }

  /** A WAV: format 1 = PCM16, 3 = float32; {@code interleaved} holds frames × channels samples. */
  private static byte[] wav(int format, int rate, int channels, float[] interleaved) {
    int bytesPer = format == 3 ? 4 : 2;
    int data = interleaved.length * bytesPer;
    ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) format).putShort((short) channels)
        .putInt(rate).putInt(rate * channels * bytesPer).putShort((short) (channels * bytesPer)).putShort((short) (8 * bytesPer));
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
    for (float v : interleaved) {
      if (format == 3) {
        b.putFloat(v);
      } else {
        b.putShort((short) Math.round(v * 32767));
      }
    }
    return b.array();
  }
}
