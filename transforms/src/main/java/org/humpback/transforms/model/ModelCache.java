package org.humpback.transforms.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model per {@link ModelConfig} per JVM, shared by every DoFn instance that needs it.
 *
 * <p><b>Loading.</b> {@link #acquire} returns a handle; the first caller for a config loads the
 * model, callers arriving meanwhile wait for that load instead of starting their own (so N DoFn
 * instances set up together load the model once). A failed load is not cached: the next acquire
 * tries again and gets its own {@link ModelException}.
 *
 * <p><b>Lifetime.</b> Handles are reference counted; when the last handle is closed the model is
 * closed and its native memory freed.
 *
 * <p><b>Threads.</b> Handles share one runtime instance, and TFLite interpreters are not
 * thread-safe, so {@link Handle#embed} is synchronized on the shared model: calls from several
 * DoFn threads run one after another, each using the runtime's own intra-op threads
 * ({@link ModelConfig#threads()}). This keeps memory at one copy of the weights per JVM, which
 * matters more for large models than the cross-call parallelism it gives up.
 */
public final class ModelCache {

  private static final Object LOCK = new Object();
  private static final Map<ModelConfig, Entry> ENTRIES = new HashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ModelCache() {}

  private static final class Entry {
    final ModelConfig config;
    int refs;
    EmbeddingModel model;

    Entry(ModelConfig config) {
      this.config = config;
    }

    synchronized EmbeddingModel loaded() {
      if (model == null) {
        model = EmbeddingModels.open(config);
        LOADS.incrementAndGet();
      }
      return model;
    }
  }

  /**
   * A handle on the shared model for {@code config}, loading it if no handle is open. Close the
   * handle (in {@code @Teardown}) when done.
   *
   * @throws ModelException when the model cannot be loaded
   */
  public static Handle acquire(ModelConfig config) {
    Entry e;
    synchronized (LOCK) {
      e = ENTRIES.computeIfAbsent(config, Entry::new);
      e.refs++;
    }
    try {
      e.loaded();
    } catch (RuntimeException | LinkageError ex) {
      release(e);
      throw ex;
    }
    return new Handle(e);
  }

  /**
   * A handle on a model instance of its own, not shared with any other handle: for a DoFn that
   * wants one runtime per worker thread (several threads embedding at once, each runtime with its
   * own intra-op threads) instead of the shared, serialized instance of {@link #acquire}. It costs
   * a runtime per handle (for TFLite an interpreter with its own packed weights; the loaded
   * flatbuffer itself is shared, see {@code TfLiteBuffers}). Close it in {@code @Teardown}.
   *
   * @throws ModelException when the model cannot be loaded
   */
  public static Handle acquireExclusive(ModelConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("Invalid model config: null");
    }
    Entry e = new Entry(config); // never in ENTRIES, so no other handle can reach it
    e.refs = 1;
    e.loaded();
    return new Handle(e);
  }

  private static void release(Entry e) {
    boolean last;
    synchronized (LOCK) {
      e.refs--;
      last = e.refs == 0;
      if (last) {
        ENTRIES.remove(e.config, e);
      }
    }
    if (last) {
      synchronized (e) { // waits for an embed in progress
        if (e.model != null) {
          e.model.close();
          e.model = null;
        }
      }
    }
  }

  /** How many models this JVM has loaded so far (for tests and metrics). */
  public static int loadCount() {
    return LOADS.get();
  }

  /** Configs with a model loaded now. */
  public static int openModels() {
    synchronized (LOCK) {
      return ENTRIES.size();
    }
  }

  /**
   * A shared model, usable as an {@link EmbeddingModel} from any thread: {@link #embed} is
   * serialized per model; {@link #close} releases this handle (not the model, unless it is the last).
   */
  public static final class Handle implements EmbeddingModel {
    private final Entry entry;
    private final EmbeddingModel model;
    private volatile boolean closed;

    private Handle(Entry entry) {
      this.entry = entry;
      this.model = entry.model;
    }

    @Override
    public float[][] embed(float[][] batch) {
      synchronized (entry) {
        if (closed || entry.model == null) {
          throw ModelException.of(entry.config.path(), "model handle is closed");
        }
        return model.embed(batch);
      }
    }

    /** What probing the shared model reports. */
    public ModelDescription description() {
      return FramePooledModel.describe(model);
    }

    @Override
    public List<TensorInfo> inputs() {
      return model.inputs();
    }

    @Override
    public List<TensorInfo> outputs() {
      return model.outputs();
    }

    @Override
    public TensorInfo selectedInput() {
      return model.selectedInput();
    }

    @Override
    public TensorInfo selectedOutput() {
      return model.selectedOutput();
    }

    @Override
    public InputFormat inputFormat() {
      return model.inputFormat();
    }

    @Override
    public int outputDim() {
      return model.outputDim();
    }

    /** Values per window the model takes, or -1 when its input length is dynamic. */
    public long itemLength() {
      return ModelSupport.itemLength(model.selectedInput().shape());
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      release(entry);
    }
  }
}
