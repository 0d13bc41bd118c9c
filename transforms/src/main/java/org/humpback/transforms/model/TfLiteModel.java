package org.humpback.transforms.model;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * A .tflite model on the bytedeco TFLite interpreter, with XNNPACK (the built-in resolver's
 * default delegate) and the configured number of threads.
 *
 * <p><b>Batching.</b> When the selected input's signature declares a dynamic batch dimension
 * ({@code -1}), the interpreter is resized once to {@code config.batchSize()}
 * ({@code ResizeInputTensor} + {@code AllocateTensors}) and run once per batch, a short last batch
 * padded with zero rows. When the batch is fixed (the usual TFLite export), or the resize fails, or
 * the output does not follow the new batch (a graph that reshapes to batch 1), items run one at a
 * time through the same interpreter.
 *
 * <p><b>Types.</b> float32 I/O is copied as is (fp16-weight models dequantize inside the graph and
 * still have float I/O); int8/uint8 I/O tensors are quantized/dequantized with the tensor's scale
 * and zero point.
 *
 * <p><b>Output.</b> The selected output's values for one item are returned flattened row-major,
 * whatever their rank (e.g. {@code [1, frames, classes]} becomes {@code frames*classes} floats).
 *
 * <p><b>Flex.</b> Models with Select-TF custom ops ("Flex*") get TF Java's native libraries loaded
 * globally first (see {@link FlexSupport}); if they still cannot be resolved, a {@link ModelException}
 * names the ops.
 *
 * <p><b>Names.</b> Inputs and outputs are chosen by TFLite tensor name (e.g.
 * {@code serving_default_audio:0}) or by the SignatureDef key of the TF export (e.g. {@code audio},
 * {@code output_0}); {@code signatureName} picks the SignatureDef for those keys.
 *
 * <p><b>Intermediate outputs.</b> {@code outputName} may also name any tensor the graph computes,
 * not only a graph output: many classifier exports (YAMNet's .tflite among them) drop the
 * embedding output and keep only the class scores. The flatbuffer is then rewritten in memory so
 * that the tensor is one more graph output ({@link TfLiteFlatbuffer#withExtraOutput}) before the
 * interpreter is built. That is what makes its values reliable: the interpreter does not reuse a
 * graph output's memory, and XNNPACK emits it as a partition output, whereas an intermediate
 * inside a delegated partition is never written to the interpreter's tensor at all (so
 * "preserve all tensors" would not help). The chosen tensor then appears last in {@link #outputs()}.
 *
 * <p><b>Dynamic-range-quantized models</b> (int8 weights beside float activations, e.g. YAMNet's
 * .tflite) compute in float: their weights are dequantized once at load
 * ({@link TfLiteFlatbuffer#withDequantizedWeights}) instead of TFLite's hybrid kernels quantizing the
 * activations on every call, which made the vectors of near-identical inputs differ by about 2%.
 * {@link ModelConfig#hybridKernels()} keeps the hybrid kernels.
 *
 * <p>Not thread-safe: a TFLite interpreter serves one caller at a time ({@link ModelCache} handles that).
 */
public final class TfLiteModel extends AbstractEmbeddingModel {

  private final List<String> flexOps;
  private final List<String> customOps;
  /** The verified flatbuffer, shared with other interpreters of the same file and rewrite. */
  private TfLiteBuffers.Handle flatBuffer;
  private BuiltinOpResolver resolver;
  private Interpreter interpreter;
  private final int inputTensor;
  private final int outputTensor;
  private boolean dynamicBatch;
  private final boolean unbatched;
  private final long itemLength;
  private int allocatedBatch;
  private final long[] allocatedInputDims;

  TfLiteModel(ModelConfig config) {
    super(config);
    String path = config.path();
    ModelSupport.requireFile(path, false);
    // Reads the op table in Java first: rejects non-TFLite files and finds Flex ops before native code runs.
    TfLiteFlatbuffer.Contents contents = TfLiteFlatbuffer.read(path);
    List<String> custom = contents.customOps();
    customOps = custom;
    flexOps = custom.stream().filter(s -> s.startsWith("Flex")).toList();
    if (!flexOps.isEmpty()) {
      try {
        FlexSupport.ensureLoaded();
      } catch (RuntimeException | LinkageError e) {
        throw ModelException.of(path, "needs Select-TF ops " + flexOps
            + " but TensorFlow's native libraries could not be loaded", e);
      }
    }
    try {
      TfLiteFlatbuffer.GraphTensor exposed = intermediateOutput(contents);
      flatBuffer = TfLiteBuffers.acquire(bufferKey(path, exposed), () -> load(path, contents, exposed));
      resolver = new BuiltinOpResolver();
      InterpreterBuilder builder = new InterpreterBuilder(flatBuffer.model(), resolver);
      builder.SetNumThreads(config.threads() > 0 ? config.threads() : -1);
      interpreter = new Interpreter((Pointer) null);
      int status = builder.apply(interpreter);
      builder.close();
      if (status != kTfLiteOk || interpreter.isNull()) {
        throw ModelException.of(path, "TFLite could not build an interpreter" + opsHint());
      }
      if (interpreter.AllocateTensors() != kTfLiteOk) {
        throw ModelException.of(path, "TFLite could not prepare the graph" + opsHint());
      }
      inputs = tensorInfos(interpreter.inputs(), true);
      outputs = tensorInfos(interpreter.outputs(), false);
      selectTensors(signatureAlias(contents, true), exposed != null ? exposed.name() : signatureAlias(contents, false));
      inputTensor = tensorIndex(interpreter.inputs(), selectedInput.index());
      outputTensor = tensorIndex(interpreter.outputs(), selectedOutput.index());
      long[] inShape = selectedInput.shape();
      unbatched = inShape.length <= 1;
      dynamicBatch = !unbatched && inShape[0] < 0;
      allocatedInputDims = dims(interpreter.tensor(inputTensor).dims());
      itemLength = unbatched ? product(allocatedInputDims, 0) : product(allocatedInputDims, 1);
      allocatedBatch = unbatched ? 1 : (int) allocatedInputDims[0];
      if (dynamicBatch && config.batchSize() != allocatedBatch) {
        int original = allocatedBatch;
        boolean resized = tryResize(config.batchSize());
        long[] od = dims(interpreter.tensor(outputTensor).dims());
        if (!resized || od.length == 0 || od[0] != allocatedBatch) {
          // The signature says -1 but the graph pins the batch (e.g. a Reshape to [1, n]): run item by item.
          if (!tryResize(original)) {
            throw ModelException.of(path, "cannot restore input '" + selectedInput.name() + "' to batch " + original);
          }
          dynamicBatch = false;
        }
      }
      outputDim = perItemOutput();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private TfLiteBuffers.Key bufferKey(String path, TfLiteFlatbuffer.GraphTensor exposed) {
    try {
      Path file = Path.of(path);
      return new TfLiteBuffers.Key(file.toAbsolutePath().normalize().toString(), Files.size(file),
          Files.getLastModifiedTime(file).toMillis(), exposed == null ? -1 : exposed.index(),
          config.hybridKernels());
    } catch (IOException e) {
      throw ModelException.of(path, "cannot read the model file", e);
    }
  }

  /**
   * The flatbuffer TFLite runs: the file itself, or a rewrite of it in native memory (an extra output,
   * weights in float), which TFLite reads in place.
   */
  private TfLiteBuffers.Loaded load(String path, TfLiteFlatbuffer.Contents contents, TfLiteFlatbuffer.GraphTensor exposed) {
    BytePointer[] bytes = new BytePointer[1];
    try {
      byte[] graph = exposed == null ? contents.bytes() : TfLiteFlatbuffer.withExtraOutput(path, contents.bytes(), exposed.index());
      // The float copy goes straight to native memory: a 4-MB int8 model becomes 16 MB, not worth a heap round trip.
      ByteBuffer dequantized = config.hybridKernels() ? null
          : TfLiteFlatbuffer.withDequantizedWeights(path, graph, size -> (bytes[0] = new BytePointer(size)).asByteBuffer());
      if (dequantized == null && exposed != null) {
        bytes[0] = new BytePointer(graph);
      }
      FlatBufferModel model = bytes[0] == null ? FlatBufferModel.VerifyAndBuildFromFile(path)
          : FlatBufferModel.VerifyAndBuildFromBuffer(bytes[0], bytes[0].capacity());
      if (model == null || model.isNull()) {
        throw ModelException.of(path, "not a valid TFLite model (flatbuffer verification failed: truncated or corrupt file?)");
      }
      return new TfLiteBuffers.Loaded(model, bytes[0]);
    } catch (RuntimeException e) {
      if (bytes[0] != null) {
        bytes[0].close();
      }
      throw e;
    }
  }

  /**
   * The tensor to add as a graph output when {@code outputName} names a tensor the graph computes
   * but does not output; {@code null} when no name is given or it names an output (by tensor name
   * or SignatureDef key).
   *
   * @throws ModelException when the name matches no tensor, or a constant or graph input; the
   *     message lists the outputs and the likely embedding tensor
   */
  private TfLiteFlatbuffer.GraphTensor intermediateOutput(TfLiteFlatbuffer.Contents contents) {
    String name = config.outputName();
    if (name == null || name.isBlank()) {
      return null;
    }
    TfLiteFlatbuffer.Graph graph = contents.graph();
    String bare = name.replaceAll(":\\d+$", "");
    for (int o : graph.outputs()) {
      if (o >= 0 && o < graph.tensors().size()
          && graph.tensors().get(o).name().replaceAll(":\\d+$", "").equals(bare)) {
        return null;
      }
    }
    for (TfLiteFlatbuffer.SignatureDef sig : contents.signatures()) {
      boolean chosen = config.signatureName() != null ? sig.key().equals(config.signatureName()) : sig.subgraph() == 0;
      if (chosen && sig.outputs().containsKey(name)) {
        return null;
      }
    }
    TfLiteFlatbuffer.GraphTensor t = graph.find(name).orElse(null);
    if (t == null) {
      throw ModelException.of(config.path(), "no output or tensor named '" + name + "'; " + outputsHint(graph));
    }
    if (!t.producedByOp()) {
      throw ModelException.of(config.path(), "tensor '" + name + "' is a constant or a graph input, not computed by the "
          + "model, so it cannot be the output; " + outputsHint(graph));
    }
    return t;
  }

  /** "the model's outputs are ...; intermediate tensors can be named too, e.g. the embedding ..." */
  static String outputsHint(TfLiteFlatbuffer.Graph graph) {
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < graph.outputs().length; i++) {
      int o = graph.outputs()[i];
      if (o >= 0 && o < graph.tensors().size()) {
        outs.add(graph.tensors().get(o).info(i).toString());
      }
    }
    String hint = "the model's outputs are " + String.join(", ", outs)
        + "; any tensor the graph computes can be named as well";
    return hint + graph.embeddingCandidate()
        .map(c -> ", e.g. the likely embedding " + c.info(c.index()) + " (input of the last FULLY_CONNECTED)")
        .orElse("");
  }

  /** Why a graph with custom ops may fail: names the ops, Flex ones separately. */
  private String opsHint() {
    List<String> other = customOps.stream().filter(s -> !s.startsWith("Flex")).toList();
    String hint = "";
    if (!flexOps.isEmpty()) {
      hint += "; Select-TF (Flex) ops " + flexOps + " could not be resolved or run by TF's kernels";
    }
    if (!other.isEmpty()) {
      hint += "; custom ops " + other + " are not available in this TFLite runtime";
    }
    return hint.isEmpty() ? " (unsupported op or corrupt graph; TFLite's message is on stderr)" : hint;
  }

  /**
   * Maps a SignatureDef key the user gave (e.g. "audio", "output_0") to the tensor name, so that
   * names from the TF export work as well as TFLite tensor names. Uses the configured signature,
   * else the first one of the main subgraph.
   */
  private String signatureAlias(TfLiteFlatbuffer.Contents contents, boolean input) {
    String name = input ? config.inputName() : config.outputName();
    if (name == null || contents.signatures().isEmpty()) {
      return name;
    }
    for (TensorInfo t : input ? inputs : outputs) {
      if (t.name().equals(name)) {
        return name;
      }
    }
    for (TfLiteFlatbuffer.SignatureDef sig : contents.signatures()) {
      boolean chosen = config.signatureName() != null ? sig.key().equals(config.signatureName()) : sig.subgraph() == 0;
      Integer tensor = chosen ? (input ? sig.inputs() : sig.outputs()).get(name) : null;
      if (tensor != null && tensor >= 0 && tensor < interpreter.tensors_size()) {
        BytePointer n = interpreter.tensor(tensor).name();
        return n == null || n.isNull() ? name : n.getString();
      }
    }
    return name;
  }

  private List<TensorInfo> tensorInfos(IntPointer indices, boolean isInput) {
    List<TensorInfo> list = new ArrayList<>();
    long n = isInput ? interpreter.inputs().limit() : interpreter.outputs().limit();
    for (int i = 0; i < n; i++) {
      int t = indices.get(i);
      TfLiteTensor tensor = interpreter.tensor(t);
      String name = tensor.name() == null || tensor.name().isNull() ? (isInput ? "input_" : "output_") + i
          : tensor.name().getString();
      TfLiteIntArray sig = tensor.dims_signature();
      long[] shape = sig != null && !sig.isNull() && sig.size() > 0 ? dims(sig) : dims(tensor.dims());
      list.add(new TensorInfo(i, name, shape, typeName(tensor.type())));
    }
    return List.copyOf(list);
  }

  private static int tensorIndex(IntPointer indices, int position) {
    return indices.get(position);
  }

  private static long[] dims(TfLiteIntArray a) {
    long[] d = new long[a.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.data(i);
    }
    return d;
  }

  private static long product(long[] d, int from) {
    long n = 1;
    for (int i = from; i < d.length; i++) {
      n *= d[i];
    }
    return n;
  }

  static String typeName(int type) {
    if (type == kTfLiteFloat32) return "float32";
    if (type == kTfLiteFloat16) return "float16";
    if (type == kTfLiteInt8) return "int8";
    if (type == kTfLiteUInt8) return "uint8";
    if (type == kTfLiteInt16) return "int16";
    if (type == kTfLiteInt32) return "int32";
    if (type == kTfLiteInt64) return "int64";
    if (type == kTfLiteFloat64) return "float64";
    if (type == kTfLiteBool) return "bool";
    if (type == kTfLiteString) return "string";
    return "type" + type;
  }

  private boolean tryResize(int batch) {
    int[] newDims = new int[allocatedInputDims.length];
    newDims[0] = batch;
    for (int i = 1; i < newDims.length; i++) {
      newDims[i] = (int) allocatedInputDims[i];
    }
    if (interpreter.ResizeInputTensor(inputTensor, newDims) != kTfLiteOk
        || interpreter.AllocateTensors() != kTfLiteOk) {
      return false;
    }
    allocatedBatch = batch;
    return true;
  }

  private int perItemOutput() {
    long total = product(dims(interpreter.tensor(outputTensor).dims()), 0);
    long[] od = dims(interpreter.tensor(outputTensor).dims());
    if (!unbatched && od.length >= 1 && od[0] == allocatedBatch) {
      return (int) (total / allocatedBatch);
    }
    if (allocatedBatch != 1) {
      throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' " + Arrays.toString(od)
          + " does not follow the input batch " + allocatedBatch);
    }
    return (int) total;
  }

  /** Items run per interpreter call: the batch when it is dynamic, else 1 (or the fixed batch). */
  int allocatedBatch() {
    return allocatedBatch;
  }

  @Override
  List<String> flexOps() {
    return flexOps;
  }

  @Override
  public float[][] embed(float[][] batch) {
    if (interpreter == null) {
      throw ModelException.of(config.path(), "model is closed");
    }
    ModelSupport.checkItems(config.path(), selectedInput, itemLength, batch);
    float[][] items = ModelSupport.layout(config, selectedInput, inputFormat, batch);
    float[][] out = new float[items.length][];
    int done = 0;
    while (done < items.length) {
      // A short last chunk is padded with zero rows rather than resizing the interpreter again.
      int n = Math.min(allocatedBatch, items.length - done);
      runChunk(items, done, n, out);
      done += n;
    }
    return out;
  }

  private void runChunk(float[][] items, int from, int n, float[][] out) {
    TfLiteTensor in = interpreter.tensor(inputTensor);
    int len = (int) itemLength;
    int type = in.type();
    if (type == kTfLiteFloat32) {
      FloatPointer fp = in.data().f();
      for (int i = 0; i < allocatedBatch; i++) {
        if (i < n) {
          fp.position((long) i * len).put(items[from + i], 0, len);
        } else {
          // A fixed batch larger than what is left: zero the unused rows.
          fp.position((long) i * len).put(new float[len], 0, len);
        }
      }
    } else if (type == kTfLiteInt8 || type == kTfLiteUInt8) {
      float scale = in.params().scale();
      int zp = in.params().zero_point();
      int lo = type == kTfLiteInt8 ? -128 : 0;
      int hi = type == kTfLiteInt8 ? 127 : 255;
      BytePointer bp = in.data().raw();
      byte[] q = new byte[len];
      for (int i = 0; i < allocatedBatch; i++) {
        Arrays.fill(q, (byte) Math.max(lo, Math.min(hi, zp)));
        if (i < n) {
          float[] x = items[from + i];
          for (int k = 0; k < len; k++) {
            q[k] = (byte) Math.max(lo, Math.min(hi, Math.round(x[k] / scale) + zp));
          }
        }
        bp.position((long) i * len).put(q, 0, len);
      }
    } else {
      throw ModelException.of(config.path(), "input '" + selectedInput.name() + "' has type "
          + typeName(type) + "; only float32, int8 and uint8 inputs are supported");
    }
    if (interpreter.Invoke() != kTfLiteOk) {
      throw ModelException.of(config.path(), "TFLite Invoke failed" + opsHint());
    }
    TfLiteTensor o = interpreter.tensor(outputTensor);
    int dim = outputDim;
    int otype = o.type();
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      if (otype == kTfLiteFloat32) {
        o.data().f().position((long) i * dim).get(v, 0, dim);
      } else if (otype == kTfLiteInt8 || otype == kTfLiteUInt8) {
        float scale = o.params().scale();
        int zp = o.params().zero_point();
        byte[] q = new byte[dim];
        o.data().raw().position((long) i * dim).get(q, 0, dim);
        boolean signed = otype == kTfLiteInt8;
        for (int k = 0; k < dim; k++) {
          int qi = signed ? q[k] : (q[k] & 0xff);
          v[k] = (qi - zp) * scale;
        }
      } else {
        throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' has type "
            + typeName(otype) + "; only float32, int8 and uint8 outputs are supported");
      }
      out[from + i] = v;
    }
  }

  @Override
  public synchronized void close() {
    if (interpreter != null) {
      interpreter.close();
      interpreter = null;
    }
    if (resolver != null) {
      resolver.close();
      resolver = null;
    }
    if (flatBuffer != null) {
      flatBuffer.close();
      flatBuffer = null;
    }
  }
}
