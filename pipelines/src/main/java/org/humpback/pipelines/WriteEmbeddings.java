package org.humpback.pipelines;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
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
 * <p>Why a CoGroupByKey per file and a plain writer in a DoFn rather than ParquetIO's FileIO sink:
 * FileIO sinks cannot set footer key/value metadata, do not sort, and name files by shard; here a
 * file must be complete, ordered, carry its provenance and appear atomically, and must not be written
 * at all when any of its windows failed. Memory: one file's vectors are packed into primitive arrays
 * (4 bytes per value, e.g. 91 MB for 6 h of 0.975-s YAMNet windows × 1024), never the whole corpus,
 * and rows are streamed to Parquet in index order from those arrays.
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
    TupleTag<String> pathTag = new TupleTag<>() {};
    TupleTag<EmbeddedWindow> windowTag = new TupleTag<>() {};
    TupleTag<FileFailure> failureTag = new TupleTag<>() {};
    PCollection<KV<String, EmbeddedWindow>> windows = input.get(WINDOWS)
        .apply("KeyWindowsByFile", WithKeys.of((EmbeddedWindow w) -> w.sourceId()).withKeyType(TypeDescriptors.strings()));
    PCollection<KV<String, FileFailure>> failures = input.get(FAILURES)
        .apply("KeyFailuresByFile", WithKeys.of((FileFailure f) -> f.sourceId()).withKeyType(TypeDescriptors.strings()));
    return KeyedPCollectionTuple.of(pathTag, input.get(FILES))
        .and(windowTag, windows)
        .and(failureTag, failures)
        .apply("GroupByFile", CoGroupByKey.create())
        .apply("WriteParquetPerFile", ParDo.of(new WriteFileFn(spec, pathTag, windowTag, failureTag)));
  }

  /** Writes one file's Parquet, or turns its failures into a result. */
  static final class WriteFileFn extends DoFn<KV<String, CoGbkResult>, FileResult> {
    private final EncodingSpec spec;
    private final TupleTag<String> pathTag;
    private final TupleTag<EmbeddedWindow> windowTag;
    private final TupleTag<FileFailure> failureTag;
    private final Counter windowsWritten = Metrics.counter(WriteEmbeddings.class, "windows_written");
    private final Counter filesOk = Metrics.counter(WriteEmbeddings.class, "files_ok");

    WriteFileFn(EncodingSpec spec, TupleTag<String> pathTag, TupleTag<EmbeddedWindow> windowTag, TupleTag<FileFailure> failureTag) {
      this.spec = spec;
      this.pathTag = pathTag;
      this.windowTag = windowTag;
      this.failureTag = failureTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> e, OutputReceiver<FileResult> out) {
      String fileId = e.getKey();
      CoGbkResult g = e.getValue();
      if (!g.getAll(pathTag).iterator().hasNext()) {
        return; // windows or failures of a file that was not an input of this run: nothing to report
      }
      Path target = spec.parquetPath(fileId);
      Iterator<FileFailure> failures = g.getAll(failureTag).iterator();
      if (failures.hasNext()) {
        out.output(fail(failures.next()));
        return;
      }
      FileResult r;
      try {
        r = write(fileId, target, g.getAll(windowTag));
      } catch (RuntimeException ex) {
        EmbeddingParquet.cleanTemps(target);
        r = fail(new FileFailure(fileId, "write", "Cannot write " + target + ": " + ex.getMessage()));
      }
      out.output(r);
    }

    private FileResult write(String fileId, Path target, Iterable<EmbeddedWindow> windows) {
      Packed p = Packed.of(windows);
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

  /** One file's windows in primitive arrays plus a sort order by index (see the class comment on memory). */
  static final class Packed {
    int count;
    int dim = -1;
    long[] indices = new long[64];
    double[] starts = new double[64];
    double[] ends = new double[64];
    float[] values = new float[0];
    int[] order;

    static Packed of(Iterable<EmbeddedWindow> windows) {
      Packed p = new Packed();
      for (EmbeddedWindow w : windows) {
        p.add(w);
      }
      Integer[] boxed = new Integer[p.count];
      for (int i = 0; i < boxed.length; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, (a, b) -> Long.compare(p.indices[a], p.indices[b]));
      p.order = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
      return p;
    }

    private void add(EmbeddedWindow w) {
      if (dim < 0) {
        dim = w.embedding().length;
        values = new float[64 * Math.max(dim, 1)];
      } else if (w.embedding().length != dim) {
        throw new IllegalArgumentException("Window " + w.index() + " has " + w.embedding().length
            + " values, earlier windows had " + dim);
      }
      if (count == indices.length) {
        int cap = count * 2;
        indices = Arrays.copyOf(indices, cap);
        starts = Arrays.copyOf(starts, cap);
        ends = Arrays.copyOf(ends, cap);
        values = Arrays.copyOf(values, cap * dim);
      }
      indices[count] = w.index();
      starts[count] = w.startS();
      ends[count] = w.endS();
      System.arraycopy(w.embedding(), 0, values, count * dim, dim);
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
          int k = order[i++];
          float[] v = Arrays.copyOfRange(values, k * dim, (k + 1) * dim);
          return new EmbeddingParquet.Row(Math.toIntExact(indices[k]), starts[k], ends[k], v);
        }
      };
    }
  }

}
