package org.humpback.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.humpback.transforms.audio.WindowCoders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.humpback.transforms.audio.EmbeddedWindow;

/**
 * The last step of encoding: for each input audio file, joins its {@link EmbeddingPart}s into one
 * Parquet file (rows in window order, written atomically) or reports why it could not.
 *
 * <p>Input: a {@link PCollectionTuple} holding {@link #FILES} ({@code KV<audioFileId, path>}, so a
 * file that produced nothing still gets a result), {@link #FAILURES}, and the vectors as
 * {@link #PARTS} (already on disk, as the fused encoding step writes them) and/or {@link #WINDOWS}
 * (single embedded windows from any pipeline, which are first written as parts of up to
 * {@link #BLOCK_WINDOWS} windows). Output: one {@link FileResult} per input file.
 *
 * <p>Why a GroupByKey per file and a plain writer in a DoFn rather than ParquetIO's FileIO sink:
 * FileIO sinks cannot set footer key/value metadata, do not sort, and name files by shard; here a
 * file must be complete, ordered, carry its provenance and appear atomically, and must not be written
 * at all when any of its windows failed. What is grouped is a few small records per file (its path,
 * its parts, its failures), never its vectors, and the join copies the parts' row groups without
 * decoding them, so memory does not grow with the file.
 */
public final class WriteEmbeddings extends PTransform<PCollectionTuple, PCollection<FileResult>> {

  public static final TupleTag<KV<String, String>> FILES = new TupleTag<>() {};
  public static final TupleTag<EmbeddingPart> PARTS = new TupleTag<>() {};
  public static final TupleTag<EmbeddedWindow> WINDOWS = new TupleTag<>() {};
  public static final TupleTag<FileFailure> FAILURES = new TupleTag<>() {};

  /**
   * Windows per part when single windows come in: a block is held in memory while its part is
   * written (4 MB of 1024-d vectors), and a file has one part per block.
   */
  static final long BLOCK_WINDOWS = 1024;

  private final EncodingSpec spec;

  private WriteEmbeddings(EncodingSpec spec) {
    this.spec = spec;
  }

  public static WriteEmbeddings of(EncodingSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("Invalid encoding spec: null");
    }
    return new WriteEmbeddings(spec);
  }

  @Override
  public PCollection<FileResult> expand(PCollectionTuple input) {
    if (!input.has(PARTS) && !input.has(WINDOWS)) {
      throw new IllegalArgumentException("Invalid WriteEmbeddings input: neither PARTS nor WINDOWS given");
    }
    KvCoder<String, FileItem> coder = KvCoder.of(StringUtf8Coder.of(), FileItem.Coder.INSTANCE);
    TypeDescriptor<KV<String, FileItem>> type = TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(FileItem.class));
    PCollectionList<KV<String, FileItem>> items = PCollectionList.of(input.get(FILES).apply("TagInputs",
        MapElements.into(type).via((KV<String, String> kv) -> KV.of(kv.getKey(), FileItem.ofPath(kv.getValue())))).setCoder(coder));
    PCollectionList<FileFailure> failures = PCollectionList.of(input.get(FAILURES));
    PCollectionList<EmbeddingPart> parts = PCollectionList.empty(input.getPipeline());
    if (input.has(PARTS)) {
      parts = parts.and(input.get(PARTS));
    }
    if (input.has(WINDOWS)) {
      PCollectionTuple blocks = input.get(WINDOWS).apply("WriteWindowBlocks", new WriteBlocks(spec));
      parts = parts.and(blocks.get(PARTS));
      failures = failures.and(blocks.get(FAILURES));
    }
    items = items
        .and(parts.apply("AllParts", Flatten.pCollections()).setCoder(EmbeddingPart.Coder.of()).apply("TagParts",
            MapElements.into(type).via((EmbeddingPart p) -> KV.of(p.sourceId(), FileItem.ofPart(p)))).setCoder(coder))
        .and(failures.apply("AllFileFailures", Flatten.pCollections()).apply("TagFailures",
            MapElements.into(type).via((FileFailure f) -> KV.of(f.sourceId(), FileItem.ofFailure(f)))).setCoder(coder));
    return items
        .apply("AllByFile", Flatten.pCollections())
        .apply("GroupByFile", GroupByKey.create())
        .apply("JoinPartsPerFile", ParDo.of(new WriteFileFn(spec)));
  }

  /**
   * Single windows → parts: keyed by (file, block of {@link #BLOCK_WINDOWS} indices), each block sorted
   * and written as one part (more where a window is missing). A block whose vectors differ in length
   * fails its file ({@code inference}); a part that cannot be written fails it ({@code write}).
   */
  static final class WriteBlocks extends PTransform<PCollection<EmbeddedWindow>, PCollectionTuple> {
    private final EncodingSpec spec;

    WriteBlocks(EncodingSpec spec) {
      this.spec = spec;
    }

    @Override
    public PCollectionTuple expand(PCollection<EmbeddedWindow> windows) {
      PCollectionTuple out = windows
          .apply("KeyByBlock", MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()),
                  TypeDescriptor.of(EmbeddedWindow.class)))
              .via((EmbeddedWindow w) -> KV.of(KV.of(w.sourceId(), w.index() / BLOCK_WINDOWS), w)))
          .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()), WindowCoders.EmbeddedWindowCoder.of()))
          .apply("GroupByBlock", GroupByKey.create())
          .apply("WriteBlock", ParDo.of(new WriteBlockFn(spec)).withOutputTags(PARTS, TupleTagList.of(FAILURES)));
      out.get(PARTS).setCoder(EmbeddingPart.Coder.of());
      out.get(FAILURES).setCoder(SerializableCoder.of(FileFailure.class));
      return out;
    }
  }

  static final class WriteBlockFn extends DoFn<KV<KV<String, Long>, Iterable<EmbeddedWindow>>, EmbeddingPart> {
    private final EncodingSpec spec;

    WriteBlockFn(EncodingSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, Long>, Iterable<EmbeddedWindow>> e, MultiOutputReceiver out) {
      String fileId = e.getKey().getKey();
      List<EmbeddedWindow> block = new ArrayList<>();
      e.getValue().forEach(block::add);
      block.sort(Comparator.comparingLong(EmbeddedWindow::index));
      int dim = block.get(0).embedding().length;
      for (EmbeddedWindow w : block) {
        if (w.embedding().length != dim) {
          out.get(FAILURES).output(new FileFailure(fileId, "inference", "Window " + w.index() + " has "
              + w.embedding().length + " values, window " + block.get(0).index() + " had " + dim));
          return;
        }
      }
      try (EmbeddingPart.Writer parts = new EmbeddingPart.Writer(fileId, spec.parquetPath(fileId))) {
        long previous = -1;
        for (EmbeddedWindow w : block) {
          if (w.index() != previous) { // a window delivered twice (a retried bundle) is written once
            parts.write(w.index(), w.startS(), w.endS(), w.embedding());
          }
          previous = w.index();
        }
        for (EmbeddingPart p : parts.commit()) {
          out.get(PARTS).output(p);
        }
      } catch (RuntimeException ex) {
        out.get(FAILURES).output(new FileFailure(fileId, "write", "Cannot write embeddings of " + fileId
            + " (windows " + block.get(0).index() + "-" + block.get(block.size() - 1).index() + "): " + ex.getMessage()));
      }
    }
  }

  /**
   * One element of a file's group: its input path, one part, or one failure. A single GroupByKey
   * over this union is read in one pass, so no runner has to make the group re-iterable (Flink's
   * batch GroupByKey result is not, and CoGroupByKey re-reads past 10 000 values).
   */
  record FileItem(String path, EmbeddingPart part, FileFailure failure) {
    static FileItem ofPath(String p) {
      return new FileItem(p, null, null);
    }

    static FileItem ofPart(EmbeddingPart p) {
      return new FileItem(null, p, null);
    }

    static FileItem ofFailure(FileFailure f) {
      return new FileItem(null, null, f);
    }

    /** A tag byte, then the one value with its own coder. */
    static final class Coder extends AtomicCoder<FileItem> {
      static final Coder INSTANCE = new Coder();
      private static final StringUtf8Coder PATH = StringUtf8Coder.of();
      private static final EmbeddingPart.Coder PART = EmbeddingPart.Coder.of();
      private static final SerializableCoder<FileFailure> FAILURE = SerializableCoder.of(FileFailure.class);

      @Override
      public void encode(FileItem v, OutputStream out) throws IOException {
        if (v.path() != null) {
          out.write(0);
          PATH.encode(v.path(), out);
        } else if (v.part() != null) {
          out.write(1);
          PART.encode(v.part(), out);
        } else {
          out.write(2);
          FAILURE.encode(v.failure(), out);
        }
      }

      @Override
      public FileItem decode(InputStream in) throws IOException {
        int tag = in.read();
        return switch (tag) {
          case 0 -> ofPath(PATH.decode(in));
          case 1 -> ofPart(PART.decode(in));
          case 2 -> ofFailure(FAILURE.decode(in));
          default -> throw new CoderException("Invalid FileItem tag: " + tag);
        };
      }

      @Override
      public void verifyDeterministic() throws NonDeterministicException {
        throw new NonDeterministicException(this, "FileFailure uses Java serialization");
      }
    }
  }

  /** Joins one file's parts, or turns its failures into a result; reads the group once. */
  static final class WriteFileFn extends DoFn<KV<String, Iterable<FileItem>>, FileResult> {
    private final EncodingSpec spec;
    private final Counter windowsWritten = Metrics.counter(WriteEmbeddings.class, "windows_written");
    private final Counter filesOk = Metrics.counter(WriteEmbeddings.class, "files_ok");

    WriteFileFn(EncodingSpec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<FileItem>> e, OutputReceiver<FileResult> out) {
      String fileId = e.getKey();
      boolean isInput = false;
      FileFailure failure = null;
      // Keyed by first index: a part reported twice (a retried shard) counts once.
      java.util.TreeMap<Long, EmbeddingPart> parts = new java.util.TreeMap<>();
      for (FileItem item : e.getValue()) {
        if (item.path() != null) {
          isInput = true;
        } else if (item.failure() != null) {
          failure = failure == null ? item.failure() : failure;
        } else {
          parts.put(item.part().firstIndex(), item.part());
        }
      }
      if (!isInput) {
        return; // parts or failures of a file that was not an input of this run: nothing to report
      }
      Path target = spec.parquetPath(fileId);
      FileResult r;
      try {
        r = failure != null ? fail(failure) : join(fileId, target, List.copyOf(parts.values()));
      } catch (RuntimeException ex) {
        EmbeddingParquet.cleanTemps(target);
        r = fail(new FileFailure(fileId, "write", "Cannot write " + target + ": " + ex.getMessage()));
      }
      EmbeddingPart.clean(target);
      out.output(r);
    }

    private FileResult join(String fileId, Path target, List<EmbeddingPart> parts) {
      if (parts.isEmpty()) {
        return fail(new FileFailure(fileId, "no_windows",
            "Audio file " + fileId + " produced no windows (empty, or shorter than one window with last_window=drop)"));
      }
      String gap = EmbeddingPart.gap(fileId, parts);
      if (gap != null) {
        return fail(new FileFailure(fileId, "incomplete", gap));
      }
      int dim = parts.get(0).vectorDim();
      for (EmbeddingPart p : parts) {
        if (p.vectorDim() != dim) {
          return fail(new FileFailure(fileId, "inference", "Windows " + p.firstIndex() + "-" + p.lastIndex() + " have "
              + p.vectorDim() + " values, windows from 0 had " + dim));
        }
      }
      long n = EmbeddingParquet.concat(target, spec.metadata(fileId, dim),
          parts.stream().map(p -> Path.of(p.path())).toList());
      long expected = parts.get(parts.size() - 1).lastIndex() + 1;
      if (n != expected) {
        throw new IllegalStateException("joined " + n + " rows, the parts list " + expected);
      }
      windowsWritten.inc(n);
      filesOk.inc();
      return FileResult.ok(fileId, n, dim, target.toString());
    }

    private static FileResult fail(FileFailure f) {
      Metrics.counter(WriteEmbeddings.class, "files_failed_" + f.reason()).inc();
      return FileResult.failed(f);
    }
  }
}
