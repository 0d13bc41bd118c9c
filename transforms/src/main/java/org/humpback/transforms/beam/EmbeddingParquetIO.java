package org.humpback.transforms.beam;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.humpback.transforms.audio.EmbeddedWindow;

/**
 * Reads and writes embedding files (the layout, schema and footer of {@link EmbeddingParquet}) on
 * any Beam file system.
 *
 * <p>{@link #write} takes {@link HumpbackIO#EMBEDDINGS} and writes one file per source,
 * {@code root/{model_version}/{name}/{encoding_signature}.parquet}, rows in window order, atomically
 * (temp name + rename): {@code WriteParts} writes each shard's rows as a small part file next to the
 * target (what crosses the runner afterwards is one small record per shard, and memory stays one
 * shard's vectors whatever the file length) → {@code GroupByFile} → {@code JoinParts} checks that the
 * shards cover the file without a missing window and copies the parts' row groups into the final
 * file without decoding them, then deletes the parts. A file with a missing window, no window at
 * all or vectors of two lengths is not written; it gets an {@link EncodingFailure} instead
 * ({@code INCOMPLETE}, {@code NO_WINDOWS}, {@code INFERENCE}; an I/O error is {@code WRITE}).
 *
 * <p>{@code name} is the source id when it is a plain name (as the product's audio file ids are),
 * otherwise its last path segment and a hash of the whole id ({@link #fileName}).
 *
 * <p>Metrics ({@value HumpbackIO#METRICS_NAMESPACE}): {@code files_written}, {@code windows_written},
 * {@code failures_<reason>}.
 */
public final class EmbeddingParquetIO {

  /** One record per written file. */
  public static final TupleTag<WrittenFile> WRITTEN = new TupleTag<>("written") {};
  /** Files that were not written, and why. */
  public static final TupleTag<EncodingFailure> FAILURES = new TupleTag<>("failures") {};

  private EmbeddingParquetIO() {}

  /** Writes under the folder {@code root} (a local path or any Beam file system's URI). */
  public static Write write(String root) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("Invalid root: '" + root + "' (expected a folder path or URI)");
    }
    return new Write(root, null, Map.of());
  }

  /** Reads the rows of the embedding files matching a file pattern. */
  public static Read read() {
    return new Read(null);
  }

  /**
   * What every file of a run carries in its footer besides its own {@code audio_sha256} and
   * {@code vector_dim}.
   */
  public record Footer(String model, String modelVersion, String encodingSignature, String frontEndConfigJson,
      String humpbackVersion) implements Serializable {

    public Footer {
      // the same checks as the file's Metadata, with placeholders for the per-file values
      new EmbeddingParquet.Metadata(model, modelVersion, encodingSignature, frontEndConfigJson, "x", 1, humpbackVersion);
      EmbeddingParquet.relativePath(modelVersion, "x", encodingSignature);
    }

    EmbeddingParquet.Metadata forFile(String audioSha256, int vectorDim) {
      return new EmbeddingParquet.Metadata(model, modelVersion, encodingSignature, frontEndConfigJson,
          audioSha256 == null ? "unknown" : audioSha256, vectorDim, humpbackVersion);
    }
  }

  /**
   * A file that was written.
   *
   * @param sourceId the source's id
   * @param path the file's resource spec
   * @param rows its rows
   * @param vectorDim the length of every vector
   */
  public record WrittenFile(String sourceId, String path, long rows, int vectorDim) implements Serializable {}

  /** Where the file of {@code sourceId} goes under {@code root}, as {@link #write} names it. */
  public static String target(String root, Footer footer, String sourceId) {
    return EmbeddingParquet.path(root, footer.modelVersion(), fileName(sourceId), footer.encodingSignature());
  }

  /** The folder name for a source id: the id when it is a plain name, else its last segment + a hash of it. */
  public static String fileName(String sourceId) {
    if (sourceId.matches("[A-Za-z0-9._-]{1,200}") && !sourceId.equals(".") && !sourceId.equals("..")) {
      return sourceId;
    }
    String last = sourceId.replaceAll("/+$", "");
    last = last.substring(last.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(sourceId.getBytes(StandardCharsets.UTF_8));
      return (last.isEmpty() ? "source" : last) + "-" + HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The folder of a target's parts. */
  static String partsDir(String target) {
    return target + ".parts";
  }

  /** See {@link #write}. Immutable; each {@code withX} returns a changed copy. */
  public static final class Write extends PTransform<PCollection<ShardEmbeddings>, PCollectionTuple> {
    private final String root;
    private final Footer footer;
    private final Map<String, String> audioSha256;

    private Write(String root, Footer footer, Map<String, String> audioSha256) {
      this.root = root;
      this.footer = footer;
      this.audioSha256 = audioSha256;
    }

    /** The run's footer values (required). */
    public Write withFooter(Footer f) {
      if (f == null) {
        throw new IllegalArgumentException("Invalid footer: null");
      }
      return new Write(root, f, audioSha256);
    }

    /** Each source's SHA-256 for its footer's {@code audio_sha256}; a source not listed gets "unknown". */
    public Write withAudioSha256(Map<String, String> bySourceId) {
      return new Write(root, footer, Map.copyOf(bySourceId == null ? Map.of() : bySourceId));
    }

    @Override
    public PCollectionTuple expand(PCollection<ShardEmbeddings> shards) {
      if (footer == null) {
        throw new IllegalArgumentException("Invalid EmbeddingParquetIO.write(" + root + "): withFooter(..) is required");
      }
      PCollectionTuple parts = shards.apply("WriteParts",
          ParDo.of(new WritePartFn(root, footer)).withOutputTags(PARTS, TupleTagList.of(FAILURES)));
      parts.get(PARTS).setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Part.class)));
      parts.get(FAILURES).setCoder(EncodingFailure.Coder.of());
      PCollectionTuple joined = parts.get(PARTS)
          .apply("GroupByFile", GroupByKey.create())
          .apply("JoinParts", ParDo.of(new JoinFn(root, footer, audioSha256)).withOutputTags(WRITTEN, TupleTagList.of(FAILURES)));
      joined.get(WRITTEN).setCoder(SerializableCoder.of(WrittenFile.class));
      joined.get(FAILURES).setCoder(EncodingFailure.Coder.of());
      PCollection<EncodingFailure> failures = org.apache.beam.sdk.values.PCollectionList.of(parts.get(FAILURES))
          .and(joined.get(FAILURES)).apply("AllFailures", org.apache.beam.sdk.transforms.Flatten.pCollections());
      return PCollectionTuple.of(WRITTEN, joined.get(WRITTEN)).and(FAILURES, failures);
    }
  }

  private static final TupleTag<KV<String, Part>> PARTS = new TupleTag<>("parts") {};

  /**
   * One shard as the join sees it: its window range and, when it has rows, where they are.
   *
   * @param path the part file, or null when the shard has no rows
   * @param contiguous whether its rows run from firstRow to lastRow without a gap
   */
  record Part(long shardFirst, long shardEnd, long firstRow, long lastRow, long rows, int vectorDim,
      boolean contiguous, String path) implements Serializable {}

  /** Writes a shard's rows as a part next to its file's target. */
  static final class WritePartFn extends DoFn<ShardEmbeddings, KV<String, Part>> {
    private final String root;
    private final Footer footer;

    WritePartFn(String root, Footer footer) {
      this.root = root;
      this.footer = footer;
    }

    @ProcessElement
    public void process(@Element ShardEmbeddings s, MultiOutputReceiver out) {
      List<EmbeddedWindow> rows = s.rows();
      if (rows.isEmpty()) {
        out.get(PARTS).output(KV.of(s.sourceId(), new Part(s.firstWindow(), s.lastWindowExclusive(), -1, -1, 0, 0, true, null)));
        return;
      }
      String target = target(root, footer, s.sourceId());
      String part = EmbeddingParquet.resolve(partsDir(target), String.format("%012d.parquet", s.firstWindow()));
      int dim = rows.get(0).embedding().length;
      boolean contiguous = true;
      try (EmbeddingParquet.Writer w = EmbeddingParquet.Writer.open(part,
          Map.of(EmbeddingParquet.KEY_VECTOR_DIM, Integer.toString(dim)), dim)) {
        long previous = -1;
        for (EmbeddedWindow r : rows) {
          contiguous &= previous < 0 || r.index() == previous + 1;
          previous = r.index();
          w.write(new EmbeddingParquet.Row(Math.toIntExact(r.index()), r.startS(), r.endS(), r.embedding()));
        }
        w.commit();
      } catch (IllegalArgumentException e) {
        fail(out, new EncodingFailure(s.sourceId(), EncodingFailure.Reason.INFERENCE, e.getMessage()));
        return;
      } catch (RuntimeException e) {
        fail(out, new EncodingFailure(s.sourceId(), EncodingFailure.Reason.WRITE, "Cannot write embeddings of "
            + s.sourceId() + " from window " + s.firstWindow() + ": " + e.getMessage()));
        return;
      }
      out.get(PARTS).output(KV.of(s.sourceId(), new Part(s.firstWindow(), s.lastWindowExclusive(),
          rows.get(0).index(), rows.get(rows.size() - 1).index(), rows.size(), dim, contiguous, part)));
    }
  }

  private static void fail(DoFn.MultiOutputReceiver out, EncodingFailure f) {
    HumpbackIO.counter("failures_" + f.reason().wireName()).inc();
    out.get(FAILURES).output(f);
  }

  /** Checks a file's shards and joins their parts into the file. */
  static final class JoinFn extends DoFn<KV<String, Iterable<Part>>, WrittenFile> {
    private final String root;
    private final Footer footer;
    private final Map<String, String> audioSha256;
    private final Counter filesWritten = HumpbackIO.counter("files_written");
    private final Counter windowsWritten = HumpbackIO.counter("windows_written");

    JoinFn(String root, Footer footer, Map<String, String> audioSha256) {
      this.root = root;
      this.footer = footer;
      this.audioSha256 = audioSha256;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Part>> e, MultiOutputReceiver out) {
      String id = e.getKey();
      TreeMap<Long, Part> byShard = new TreeMap<>(); // a retried shard reported twice counts once
      for (Part p : e.getValue()) {
        byShard.put(p.shardFirst(), p);
      }
      String target = target(root, footer, id);
      try {
        EncodingFailure problem = check(id, List.copyOf(byShard.values()));
        if (problem != null) {
          fail(out, problem);
          return;
        }
        List<String> paths = new ArrayList<>();
        int dim = 0;
        long rows = 0;
        for (Part p : byShard.values()) {
          if (p.path() != null) {
            paths.add(p.path());
            dim = p.vectorDim();
            rows += p.rows();
          }
        }
        long n = EmbeddingParquet.concat(target, footer.forFile(audioSha256.get(id), dim), paths);
        if (n != rows) {
          throw new IllegalStateException("joined " + n + " rows, the parts hold " + rows);
        }
        windowsWritten.inc(n);
        filesWritten.inc();
        out.get(WRITTEN).output(new WrittenFile(id, target, n, dim));
      } catch (RuntimeException ex) {
        EmbeddingParquet.cleanTemps(target);
        fail(out, new EncodingFailure(id, EncodingFailure.Reason.WRITE, "Cannot write " + target + ": " + ex.getMessage()));
      } finally {
        cleanParts(target);
      }
    }

    /** Why the shards (sorted) do not make a whole file, or null when they do. */
    static EncodingFailure check(String id, List<Part> shards) {
      long nextShard = 0;
      long nextRow = 0;
      int dim = 0;
      boolean sawLast = false;
      for (Part p : shards) {
        if (p.shardFirst() != nextShard || sawLast) {
          return new EncodingFailure(id, EncodingFailure.Reason.INCOMPLETE, "Audio file " + id + " is missing windows "
              + nextShard + " to " + (p.shardFirst() - 1) + " (a shard that failed)");
        }
        if (p.rows() > 0) {
          if (p.firstRow() != nextRow || !p.contiguous()) {
            long missing = p.firstRow() != nextRow ? nextRow : p.firstRow();
            return new EncodingFailure(id, EncodingFailure.Reason.INCOMPLETE, "Audio file " + id + " is missing window "
                + (p.contiguous() ? missing : "after " + missing) + " (a window that failed)");
          }
          if (dim != 0 && p.vectorDim() != dim) {
            return new EncodingFailure(id, EncodingFailure.Reason.INFERENCE, "Windows " + p.firstRow() + "-" + p.lastRow()
                + " of " + id + " have " + p.vectorDim() + " values, earlier windows had " + dim);
          }
          dim = p.vectorDim();
          nextRow = p.lastRow() + 1;
        }
        sawLast = p.shardEnd() == org.humpback.transforms.audio.AudioShard.OPEN_ENDED;
        nextShard = p.shardEnd();
      }
      if (!sawLast) {
        return new EncodingFailure(id, EncodingFailure.Reason.INCOMPLETE, "Audio file " + id + " is missing windows from "
            + nextShard + " to the end (a shard that failed)");
      }
      if (nextRow == 0) {
        return new EncodingFailure(id, EncodingFailure.Reason.NO_WINDOWS, "Audio file " + id
            + " produced no windows (empty, or shorter than one window with last_window=drop)");
      }
      return null;
    }
  }

  /**
   * Deletes what {@link #write} wrote or left for {@code sourceId} under {@code root}: its file, temps
   * and parts (a cancelled or crashed run's output).
   */
  public static void delete(String root, Footer footer, String sourceId) {
    String target = target(root, footer, sourceId);
    cleanParts(target);
    EmbeddingParquet.cleanTemps(target);
    EmbeddingParquet.delete(target);
  }

  /** Deletes a target's parts and their folder. */
  static void cleanParts(String target) {
    String dir = partsDir(target);
    EmbeddingParquet.deleteMatching(EmbeddingParquet.resolve(dir, "*"));
    try {
      FileSystems.delete(List.of(FileSystems.matchNewResource(dir, true)), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException ignored) {
      // an empty folder left behind costs nothing, and the next write of the file reuses it
    }
  }

  /** See {@link #read}. */
  public static final class Read extends PTransform<PBegin, PCollection<EmbeddingParquet.Row>> {
    private final String filepattern;

    private Read(String filepattern) {
      this.filepattern = filepattern;
    }

    /** The files to read: a file, or a glob (any Beam file system). */
    public Read from(String pattern) {
      if (pattern == null || pattern.isBlank()) {
        throw new IllegalArgumentException("Invalid file pattern: '" + pattern + "'");
      }
      return new Read(pattern);
    }

    @Override
    public PCollection<EmbeddingParquet.Row> expand(PBegin p) {
      if (filepattern == null) {
        throw new IllegalArgumentException("Invalid EmbeddingParquetIO.read(): from(..) is required");
      }
      return p.apply("ReadParquet", ParquetIO.read(EmbeddingParquet.SCHEMA).from(filepattern))
          .apply("ToRows", ParDo.of(new ToRowFn()))
          .setCoder(RowCoder.of());
    }
  }

  static final class ToRowFn extends DoFn<GenericRecord, EmbeddingParquet.Row> {
    @ProcessElement
    public void process(@Element GenericRecord r, OutputReceiver<EmbeddingParquet.Row> out) {
      @SuppressWarnings("unchecked")
      List<Number> list = (List<Number>) r.get("embedding");
      float[] v = new float[list.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = list.get(i).floatValue();
      }
      out.output(new EmbeddingParquet.Row((Integer) r.get("row_index"), (Double) r.get("start_s"), (Double) r.get("end_s"), v));
    }
  }

  /** A row's fields in order. */
  public static final class RowCoder extends AtomicCoder<EmbeddingParquet.Row> {
    private static final RowCoder INSTANCE = new RowCoder();

    public static RowCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(EmbeddingParquet.Row r, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeInt(r.rowIndex());
      out.writeDouble(r.startS());
      out.writeDouble(r.endS());
      out.writeInt(r.embedding().length);
      for (float f : r.embedding()) {
        out.writeFloat(f);
      }
      out.flush();
    }

    @Override
    public EmbeddingParquet.Row decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      int index = in.readInt();
      double start = in.readDouble();
      double end = in.readDouble();
      float[] v = new float[in.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = in.readFloat();
      }
      return new EmbeddingParquet.Row(index, start, end, v);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
