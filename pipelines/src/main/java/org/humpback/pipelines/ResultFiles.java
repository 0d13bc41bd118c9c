package org.humpback.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Brings per-file results from the workers back to the launching process: each {@link FileResult}
 * becomes one small JSON file in a run directory, which {@link #read} collects after the run.
 * A file store works the same on the direct runner and on a Flink cluster sharing the data volume,
 * where a PCollection cannot be handed back to the caller.
 */
public final class ResultFiles {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultFiles() {}

  /** Writes each result as {@code dir/<audioFileId>.json} (atomically, so readers never see half a file). */
  public static PTransform<PCollection<FileResult>, PDone> to(Path dir) {
    String d = dir.toAbsolutePath().toString();
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<FileResult> input) {
        input.apply("WriteResultJson", ParDo.of(new WriteResultFn(d)));
        return PDone.in(input.getPipeline());
      }
    };
  }

  /** All results in {@code dir}, sorted by audio file id. */
  public static List<FileResult> read(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<FileResult> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        out.add(JSON.readValue(p.toFile(), FileResult.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read run results in " + dir, e);
    }
    out.sort(Comparator.comparing(FileResult::audioFileId));
    return out;
  }

  static final class WriteResultFn extends DoFn<FileResult, Void> {
    private final String dir;

    WriteResultFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element FileResult r) throws IOException {
      Path d = Path.of(dir);
      Files.createDirectories(d);
      String name = r.audioFileId().replaceAll("[^A-Za-z0-9._-]", "_");
      Path tmp = Files.createTempFile(d, "." + name, ".tmp");
      JSON.writeValue(tmp.toFile(), r);
      Files.move(tmp, d.resolve(name + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
