package org.humpback.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A consecutive run of one audio file's embedding rows, already on disk as a small Parquet file of
 * the final schema: what a time shard (fused stages) or a block of windows (separate stages) leaves
 * for {@link WriteEmbeddings}, which joins a file's parts in row order into its final Parquet.
 *
 * <p><b>Why parts.</b> A pipeline that hands every window's vector to a per-file group holds the
 * whole file's vectors somewhere before the write (the direct runner in memory: 90 MB for 6 h of
 * 1024-d YAMNet), and pays the runner's per-element cost for each window. A part is written where
 * the vectors are made, so what travels through the runner is one small record per shard, memory
 * stays one shard's batch whatever the file length, and the final join copies row groups without
 * decoding them ({@link EmbeddingParquet#concat}).
 *
 * <p><b>Where.</b> Next to the final file, in {@code .<signature>.parquet.parts/}, so parts live on the
 * same (shared) storage as the output on every runner. A part's name is its first row index, so a
 * retried shard replaces its own part; the join takes only the parts its run reported, and
 * {@link #clean} removes a crashed run's leftovers before a rerun and a run's parts after the join.
 *
 * @param sourceId the audio file's id
 * @param firstIndex row_index of the first row
 * @param lastIndex row_index of the last row; a part has every row in between (a gap starts a new part)
 * @param vectorDim length of every vector
 * @param path the part file
 */
public record EmbeddingPart(String sourceId, long firstIndex, long lastIndex, int vectorDim, String path)
    implements Serializable {

  public EmbeddingPart {
    if (sourceId == null || path == null || firstIndex < 0 || lastIndex < firstIndex || vectorDim < 1) {
      throw new IllegalArgumentException("Invalid embedding part: " + sourceId + " rows " + firstIndex + "-" + lastIndex
          + ", dim " + vectorDim + ", " + path);
    }
  }

  /** Number of rows. */
  public long rows() {
    return lastIndex - firstIndex + 1;
  }

  /** The folder of {@code target}'s parts. */
  public static Path dir(Path target) {
    return target.toAbsolutePath().getParent().resolve("." + target.getFileName() + ".parts");
  }

  /** Deletes {@code target}'s parts folder (a finished or abandoned run's parts). */
  public static void clean(Path target) {
    for (int attempt = 1; ; attempt++) {
      try {
        EncodingPipeline.deleteTree(dir(target));
        return;
      } catch (java.io.UncheckedIOException e) {
        // A file appeared while the folder was being emptied (a shard still finishing): once more.
        if (attempt == 3 || !(e.getCause() instanceof java.nio.file.DirectoryNotEmptyException)) {
          throw e;
        }
      }
    }
  }

  /**
   * Why {@code parts} (one file's, sorted by first index) do not make rows 0…n-1 without a gap, or
   * null when they do.
   */
  static String gap(String fileId, List<EmbeddingPart> parts) {
    long next = 0;
    for (EmbeddingPart p : parts) {
      if (p.firstIndex() != next) {
        return "Audio file " + fileId + " is missing window " + next + " (got windows up to " + parts.get(parts.size() - 1)
            .lastIndex() + ", " + parts.stream().mapToLong(EmbeddingPart::rows).sum() + " in all)";
      }
      next = p.lastIndex() + 1;
    }
    return null;
  }

  /**
   * Writes one file's rows as parts: rows in increasing row_index go to a hidden temp file, published
   * under its first row's index; a gap in the indices (a window that failed) closes the part and
   * starts the next, so every part is gap-free. Memory: one Parquet page buffer, whatever the rows.
   */
  static final class Writer implements AutoCloseable {
    private final String sourceId;
    private final Path target;
    private final List<EmbeddingPart> done = new java.util.ArrayList<>();
    private EmbeddingParquet.Writer out;
    private Path outPath;
    private long first = -1;
    private long last = -1;
    private int dim;

    /** @param target the final file the parts belong to */
    Writer(String sourceId, Path target) {
      this.sourceId = sourceId;
      this.target = target;
    }

    void write(long index, double startS, double endS, float[] vector) {
      if (out != null && index != last + 1) {
        publish();
      }
      if (out == null) {
        first = index;
        dim = vector.length;
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put(EmbeddingParquet.KEY_VECTOR_DIM, Integer.toString(dim));
        footer.put("humpback_part_of", target.getFileName().toString());
        outPath = dir(target).resolve(String.format("%012d.parquet", index));
        out = EmbeddingParquet.Writer.open(outPath, footer, dim);
      }
      out.write(new EmbeddingParquet.Row(Math.toIntExact(index), startS, endS, vector));
      last = index;
    }

    /** Publishes what is left; returns every part written, in row order (empty when there were no rows). */
    List<EmbeddingPart> commit() {
      if (out != null) {
        publish();
      }
      return List.copyOf(done);
    }

    private void publish() {
      out.commit();
      out = null;
      done.add(new EmbeddingPart(sourceId, first, last, dim, outPath.toString()));
    }

    /** Abandons a part not yet published (published parts stay until {@link EmbeddingPart#clean}). */
    @Override
    public void close() {
      if (out != null) {
        out.close();
        out = null;
      }
    }
  }

  /** A compact coder: the part's fields in order. */
  public static final class Coder extends AtomicCoder<EmbeddingPart> {
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final VarIntCoder INT = VarIntCoder.of();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(EmbeddingPart p, OutputStream out) throws IOException {
      STRING.encode(p.sourceId(), out);
      LONG.encode(p.firstIndex(), out);
      LONG.encode(p.lastIndex(), out);
      INT.encode(p.vectorDim(), out);
      STRING.encode(p.path(), out);
    }

    @Override
    public EmbeddingPart decode(InputStream in) throws IOException {
      return new EmbeddingPart(STRING.decode(in), LONG.decode(in), LONG.decode(in), INT.decode(in), STRING.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
