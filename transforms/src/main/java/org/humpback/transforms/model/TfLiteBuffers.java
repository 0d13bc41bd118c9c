package org.humpback.transforms.model;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorflowlite.FlatBufferModel;

/**
 * Loaded TFLite flatbuffers, shared by every interpreter built from the same file and rewrite.
 *
 * <p>Why: a pipeline worker has an interpreter per thread ({@link ModelCache#acquireExclusive}),
 * and each used to rewrite and hold its own copy of the model: for YAMNet with its int8 weights in
 * float, 16 MB of native memory and the dequantization per instance, done by every worker thread at
 * once when a run starts. TFLite's {@code FlatBufferModel} is immutable and may back any number of
 * interpreters as long as it and its bytes outlive them: handles are reference counted, and the
 * last close frees both. A load that fails is not kept; the next acquire tries again.
 */
final class TfLiteBuffers {

  /**
   * What identifies a loaded flatbuffer: the file (path, size and modification time, so a replaced
   * file is loaded anew) and how it was rewritten.
   */
  record Key(String path, long size, long modifiedMillis, int extraOutput, boolean hybridKernels) {}

  /** A verified model and the native bytes it reads in place ({@code null} when TFLite mapped the file itself). */
  record Loaded(FlatBufferModel model, BytePointer bytes) {}

  private static final Map<Key, Entry> ENTRIES = new HashMap<>();

  private TfLiteBuffers() {}

  private static final class Entry {
    final Key key;
    volatile Loaded loaded;
    int refs;

    Entry(Key key) {
      this.key = key;
    }
  }

  /** A reference to a shared flatbuffer; close it when its interpreter is closed. */
  static final class Handle implements AutoCloseable {
    private Entry entry;

    private Handle(Entry entry) {
      this.entry = entry;
    }

    FlatBufferModel model() {
      return entry.loaded.model();
    }

    @Override
    public synchronized void close() {
      if (entry != null) {
        release(entry);
        entry = null;
      }
    }
  }

  /**
   * The flatbuffer for {@code key}, loading it with {@code load} if no handle holds it. Callers for
   * the same key wait for one load instead of each doing their own.
   *
   * @throws ModelException (or whatever {@code load} throws) when the model cannot be loaded
   */
  static Handle acquire(Key key, Supplier<Loaded> load) {
    Entry e;
    synchronized (ENTRIES) {
      e = ENTRIES.computeIfAbsent(key, Entry::new);
      e.refs++;
    }
    synchronized (e) {
      if (e.loaded == null) {
        try {
          e.loaded = load.get();
        } catch (RuntimeException | Error ex) {
          release(e);
          throw ex;
        }
      }
    }
    return new Handle(e);
  }

  private static void release(Entry e) {
    synchronized (ENTRIES) {
      if (--e.refs > 0) {
        return;
      }
      ENTRIES.remove(e.key, e);
    }
    synchronized (e) {
      if (e.loaded != null) {
        e.loaded.model().close();
        if (e.loaded.bytes() != null) {
          e.loaded.bytes().close();
        }
        e.loaded = null;
      }
    }
  }

  /** Flatbuffers loaded now (for tests). */
  static int loadedCount() {
    synchronized (ENTRIES) {
      return (int) ENTRIES.values().stream().filter(e -> e.loaded != null).count();
    }
  }
}
