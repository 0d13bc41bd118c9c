package org.humpback.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.humpback.transforms.audio.WindowCoders;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
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
 * The last step of encoding: groups every embedded window and every failure by audio file, and for
 * each input file writes one Parquet file (rows sorted by window index) or reports why it could not.
 *
 * <p>Input: a {@link PCollectionTuple} holding {@link #FILES} ({@code KV<audioFileId, path>}, so a
 * file that produced nothing still gets a result), {@link #WINDOWS} and {@link #FAILURES}.
 * Output: one {@link FileResult} per input file.
 *
 * <p>Why a GroupByKey per file and a plain writer in a DoFn rather than ParquetIO's FileIO sink:
 * FileIO sinks cannot set footer key/value metadata, do not sort, and name files by shard; here a
 * file must be complete, ordered, carry its provenance and appear atomically, and must not be written
 * at all when any of its windows failed. Memory: one file's vectors (4 bytes per value, e.g. 46 MB
 * for 6 h of 0.975-s YAMNet windows × 521), never the whole corpus; see {@link Packed}.
 */
public final class WriteEmbeddings extends PTransform<PCollectionTuple, PCollection<FileResult>> {

  public static final TupleTag<KV<String, String>> FILES = new TupleTag<>() {};
  public static final TupleTag<EmbeddedWindow> WINDOWS = new TupleTag<>() {};
  public static final TupleTag<FileFailure> FAILURES = new TupleTag<>() {};

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
    KvCoder<String, FileItem> coder = KvCoder.of(StringUtf8Coder.of(), FileItem.Coder.INSTANCE);
    TypeDescriptor<KV<String, FileItem>> type = TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(FileItem.class));
    PCollection<KV<String, FileItem>> paths = input.get(FILES).apply("TagInputs",
        MapElements.into(type).via((KV<String, String> kv) -> KV.of(kv.getKey(), FileItem.ofPath(kv.getValue())))).setCoder(coder);
    PCollection<KV<String, FileItem>> windows = input.get(WINDOWS).apply("TagWindows",
        MapElements.into(type).via((EmbeddedWindow w) -> KV.of(w.sourceId(), FileItem.ofWindow(w)))).setCoder(coder);
    PCollection<KV<String, FileItem>> failures = input.get(FAILURES).apply("TagFailures",
        MapElements.into(type).via((FileFailure f) -> KV.of(f.sourceId(), FileItem.ofFailure(f)))).setCoder(coder);
    return PCollectionList.of(paths).and(windows).and(failures)
        .apply("AllByFile", Flatten.pCollections())
        .apply("GroupByFile", GroupByKey.create())
        .apply("WriteParquetPerFile", ParDo.of(new WriteFileFn(spec)));
  }

  /**
   * One element of a file's group: its input path, one embedded window, or one failure. A single
   * GroupByKey over this union is read in one pass, so no runner has to make the group
   * re-iterable (Flink's batch GroupByKey result is not, and CoGroupByKey re-reads past 10 000 values).
   */
  record FileItem(String path, EmbeddedWindow window, FileFailure failure) {
    static FileItem ofPath(String p) {
      return new FileItem(p, null, null);
    }

    static FileItem ofWindow(EmbeddedWindow w) {
      return new FileItem(null, w, null);
    }

    static FileItem ofFailure(FileFailure f) {
      return new FileItem(null, null, f);
    }

    /** A tag byte, then the one value with its own coder. */
    static final class Coder extends AtomicCoder<FileItem> {
      static final Coder INSTANCE = new Coder();
      private static final StringUtf8Coder PATH = StringUtf8Coder.of();
      private static final WindowCoders.EmbeddedWindowCoder WINDOW = WindowCoders.EmbeddedWindowCoder.of();
      private static final SerializableCoder<FileFailure> FAILURE = SerializableCoder.of(FileFailure.class);

      @Override
      public void encode(FileItem v, OutputStream out) throws IOException {
        if (v.path() != null) {
          out.write(0);
          PATH.encode(v.path(), out);
        } else if (v.window() != null) {
          out.write(1);
          WINDOW.encode(v.window(), out);
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
          case 1 -> ofWindow(WINDOW.decode(in));
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

  /** Writes one file's Parquet, or turns its failures into a result; reads the group once. */
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
      Packed packed = new Packed();
      for (FileItem item : e.getValue()) {
        if (item.path() != null) {
          isInput = true;
        } else if (item.failure() != null) {
          if (failure == null) {
            failure = item.failure();
            packed = null; // the file will not be written: stop holding its windows
          }
        } else if (packed != null) {
          try {
            packed.add(item.window());
          } catch (IllegalArgumentException ex) {
            failure = new FileFailure(fileId, "inference", ex.getMessage());
            packed = null;
          }
        }
      }
      if (!isInput) {
        return; // windows or failures of a file that was not an input of this run: nothing to report
      }
      if (failure != null) {
        out.output(fail(failure));
        return;
      }
      Path target = spec.parquetPath(fileId);
      FileResult r;
      try {
        r = write(fileId, target, packed.sorted());
      } catch (RuntimeException ex) {
        EmbeddingParquet.cleanTemps(target);
        r = fail(new FileFailure(fileId, "write", "Cannot write " + target + ": " + ex.getMessage()));
      }
      out.output(r);
    }

    private FileResult write(String fileId, Path target, Packed p) {
      if (p.count == 0) {
        return fail(new FileFailure(fileId, "no_windows",
            "Audio file " + fileId + " produced no windows (empty, or shorter than one window with last_window=drop)"));
      }
      for (int i = 0; i < p.count; i++) {
        if (p.indices[p.order[i]] != i) {
          return fail(new FileFailure(fileId, "incomplete", "Audio file " + fileId + " is missing window " + i
              + " (got " + p.count + " windows, highest index " + p.indices[p.order[p.count - 1]] + ")"));
        }
      }
      long n = EmbeddingParquet.write(target, spec.metadata(fileId, p.dim), p.rows());
      windowsWritten.inc(n);
      filesOk.inc();
      return FileResult.ok(fileId, n, p.dim, target.toString());
    }

    private static FileResult fail(FileFailure f) {
      Metrics.counter(WriteEmbeddings.class, "files_failed_" + f.reason()).inc();
      return FileResult.failed(f);
    }
  }

  /**
   * One file's windows, sorted by index before the write. It keeps the windows themselves rather
   * than copying their vectors into packed arrays: the direct runner's group already holds them in
   * memory, so a copy would double a file's footprint at the write (and array doubling would add a
   * third transient copy); on Flink the group is read from its sorted spill and only this list is
   * on the heap (≈ 4 bytes × dim plus ~100 bytes per window).
   */
  static final class Packed {
    int count;
    int dim = -1;
    private final java.util.ArrayList<EmbeddedWindow> windows = new java.util.ArrayList<>();
    int[] order;
    long[] indices;

    /** Sorts by window index; call once all windows are added. */
    Packed sorted() {
      windows.sort(java.util.Comparator.comparingLong(EmbeddedWindow::index));
      order = new int[count];
      indices = new long[count];
      for (int i = 0; i < count; i++) {
        order[i] = i;
        indices[i] = windows.get(i).index();
      }
      return this;
    }

    void add(EmbeddedWindow w) {
      if (dim < 0) {
        dim = w.embedding().length;
      } else if (w.embedding().length != dim) {
        throw new IllegalArgumentException("Window " + w.index() + " has " + w.embedding().length
            + " values, earlier windows had " + dim);
      }
      windows.add(w);
      count++;
    }

    Iterator<EmbeddingParquet.Row> rows() {
      return new Iterator<>() {
        int i;

        @Override
        public boolean hasNext() {
          return i < count;
        }

        @Override
        public EmbeddingParquet.Row next() {
          if (i >= count) {
            throw new NoSuchElementException();
          }
          EmbeddedWindow w = windows.get(i++);
          // Windows are never mutated downstream, so the row may share the vector.
          return new EmbeddingParquet.Row(Math.toIntExact(w.index()), w.startS(), w.endS(), w.embedding());
        }
      };
    }
  }

}
