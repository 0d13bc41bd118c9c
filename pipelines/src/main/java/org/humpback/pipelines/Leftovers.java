package org.humpback.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.humpback.registry.dao.EmbeddingSetDao;
import org.humpback.registry.dao.JobStatus;
import org.humpback.registry.dao.ProcessingJob;
import org.humpback.registry.dao.ProcessingJobDao;
import org.humpback.registry.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a killed process (SIGKILL, power loss) left in the storage root, once no live job owns it.
 *
 * <ul>
 *   <li>{@code tmp/runs/<job id>-a<attempt>/}: a run's scratch (its TextIO outcomes and their temp folders).
 *       It belongs to that claim of the job; once the job is not running with that attempt, it is dead.</li>
 *   <li>{@code embeddings/<model>/<audio file id>/<signature>.parquet.parts/} and
 *       {@code .<signature>.parquet.<uuid>.tmp}: a write that never finished. Removed when no job for that
 *       (file, signature) is queued or running (such a job rewrites them anyway).</li>
 *   <li>{@code embeddings/…/<signature>.parquet} with no embedding set row: the process died between the
 *       rename and the row's insert (or a cancel came in between). Removed when a job of ours made it, none is
 *       queued or running for it, and no set row names it; a file no job of this registry made is never touched.</li>
 *   <li>Upload and import temps ({@code audio/tmp/upload-*.part}, {@code .original*.tmp}) and clustering
 *       temps ({@code clusters/…/.*.tmp}): no job owns them, so they go once untouched for {@code minAge}.</li>
 * </ul>
 *
 * Run by the encoding worker at its start and after each stale sweep that moved jobs ({@link Worker}).
 */
public final class Leftovers {

  private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
  private static final Pattern RUN_DIR = Pattern.compile("(.+)-a(\\d+)");
  private static final String PARQUET = ".parquet";

  private Leftovers() {}

  /** What one sweep removed. */
  public record Swept(int runDirs, int unfinishedWrites, int orphanFiles, int oldTemps) {
    public int total() {
      return runDirs + unfinishedWrites + orphanFiles + oldTemps;
    }
  }

  /** The scratch folder of a run whose first job is {@code job} (its claim's attempt names it). */
  public static Path runDir(Path storageRoot, ProcessingJob job) {
    return storageRoot.resolve("tmp").resolve("runs").resolve(job.id() + "-a" + job.attempts());
  }

  /**
   * Sweeps {@code storageRoot}.
   *
   * @param minAge files that no job owns are removed once untouched this long (the stale threshold)
   */
  public static Swept sweep(Database db, Path storageRoot, Duration minAge) {
    Instant cutoff = Instant.now().minus(minAge);
    ProcessingJobDao jobs = db.dao(ProcessingJobDao.class);
    EmbeddingSetDao sets = db.dao(EmbeddingSetDao.class);
    int runs = 0;
    for (Path dir : list(storageRoot.resolve("tmp").resolve("runs"))) {
      Matcher m = RUN_DIR.matcher(dir.getFileName().toString());
      boolean live = m.matches() && jobs.findById(m.group(1))
          .filter(j -> j.status() == JobStatus.RUNNING && j.attempts() == Integer.parseInt(m.group(2))).isPresent();
      if (!live && (m.matches() || olderThan(dir, cutoff))) {
        EncodingPipeline.deleteTree(dir);
        runs++;
      }
    }
    int unfinished = 0;
    int orphans = 0;
    for (Path model : list(storageRoot.resolve("embeddings"))) {
      for (Path audio : list(model)) {
        String audioId = audio.getFileName().toString();
        for (Path f : list(audio)) {
          String name = f.getFileName().toString();
          Optional<String> signature = signatureOfScratch(name);
          if (signature.isPresent()) {
            if (jobs.findActive(audioId, signature.get()).isEmpty()) {
              EncodingPipeline.deleteTree(f);
              unfinished++;
            }
          } else if (name.endsWith(PARQUET) && Files.isRegularFile(f)) {
            String sig = name.substring(0, name.length() - PARQUET.length());
            if (sets.findByAudioFileAndSignature(audioId, sig).isEmpty()
                && jobs.findActive(audioId, sig).isEmpty()
                && jobs.countByAudioFileAndSignature(audioId, sig) > 0) {
              EncodingPipeline.deleteTree(f);
              orphans++;
            }
          }
        }
      }
    }
    int temps = deleteOldTemps(storageRoot.resolve("audio"), cutoff) + deleteOldTemps(storageRoot.resolve("clusters"), cutoff);
    Swept s = new Swept(runs, unfinished, orphans, temps);
    if (s.total() > 0) {
      LOG.info("Removed what stopped processes left in the storage root: {}", s);
    }
    return s;
  }

  /** The signature of a write's scratch: {@code <sig>.parquet.parts} or {@code .<sig>.parquet.<uuid>.tmp}. */
  static Optional<String> signatureOfScratch(String name) {
    if (name.endsWith(PARQUET + ".parts")) {
      return Optional.of(name.substring(0, name.length() - (PARQUET + ".parts").length()));
    }
    int p = name.indexOf(PARQUET + ".");
    if (name.startsWith(".") && name.endsWith(".tmp") && p > 1) {
      return Optional.of(name.substring(1, p));
    }
    return Optional.empty();
  }

  private static int deleteOldTemps(Path root, Instant cutoff) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      int n = 0;
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        boolean temp = (name.startsWith(".") && name.endsWith(".tmp")) || (name.startsWith("upload-") && name.endsWith(".part"));
        if (temp && olderThan(f, cutoff) && Files.deleteIfExists(f)) {
          n++;
        }
      }
      return n;
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot sweep {}: {}", root.getFileName(), e.toString());
      return 0;
    }
  }

  private static boolean olderThan(Path p, Instant cutoff) {
    try {
      FileTime t = Files.getLastModifiedTime(p);
      return t.toInstant().isBefore(cutoff);
    } catch (IOException e) {
      return false; // gone already
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      LOG.warn("Cannot list {}: {}", dir.getFileName(), e.toString());
      return List.of();
    }
  }
}
