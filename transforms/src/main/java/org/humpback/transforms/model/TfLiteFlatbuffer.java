package org.humpback.transforms.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Reads the custom op names of a .tflite file straight from its flatbuffer, before any native code
 * sees the file: Flex ops must be known before the interpreter is built (their native libraries are
 * loaded first), and a file that is not a TFLite flatbuffer is rejected here with a clear message.
 * It also reads the main subgraph's tensors and operators, so that an intermediate tensor can be
 * chosen as the output ({@link #withExtraOutput}). Every offset is bounds-checked; a bad one is a
 * {@link ModelException}.
 */
final class TfLiteFlatbuffer {

  private static final int CUSTOM = 32; // BuiltinOperator.CUSTOM in schema.fbs
  static final int FULLY_CONNECTED = 9; // BuiltinOperator.FULLY_CONNECTED in schema.fbs

  private final String path;
  private final ByteBuffer buf;

  private TfLiteFlatbuffer(String path, ByteBuffer buf) {
    this.path = path;
    this.buf = buf;
  }

  /**
   * One SignatureDef of the model: its key and the names it gives to tensors of subgraph
   * {@code subgraph} (name → tensor index), e.g. {@code "audio" → 0}, {@code "output_0" → 187}.
   */
  record SignatureDef(String key, int subgraph, Map<String, Integer> inputs, Map<String, Integer> outputs) {}

  /**
   * One tensor of the main subgraph.
   *
   * @param index tensor index in the subgraph
   * @param producedByOp whether an operator computes it (false for constants and graph inputs)
   */
  record GraphTensor(int index, String name, long[] shape, String dtype, boolean producedByOp) {
    TensorInfo info(int position) {
      return new TensorInfo(position, name, shape, dtype);
    }
  }

  /** One operator of the main subgraph: its builtin code and tensor indices (-1 = optional input left out). */
  record GraphOp(int builtinCode, int[] inputs, int[] outputs) {}

  /** The main subgraph (subgraph 0): every tensor, the operators in execution order, the graph outputs. */
  record Graph(List<GraphTensor> tensors, List<GraphOp> ops, int[] inputs, int[] outputs) {

    /** The tensor named {@code name}, also matching a TF-style "name:0" against "name" either way. */
    java.util.Optional<GraphTensor> find(String name) {
      for (GraphTensor t : tensors) {
        if (t.name().equals(name)) {
          return java.util.Optional.of(t);
        }
      }
      String bare = name.replaceAll(":\\d+$", "");
      return tensors.stream().filter(t -> t.name().replaceAll(":\\d+$", "").equals(bare)).findFirst();
    }

    boolean isOutput(int tensor) {
      return java.util.Arrays.stream(outputs).anyMatch(o -> o == tensor);
    }

    /**
     * The usual embedding of a classifier: the rank-2 {@code [batch, N]} float tensor feeding the
     * last FULLY_CONNECTED (the logits layer), when it is computed by the graph and not already
     * an output. For YAMNet this is the 1024-d global average pool.
     */
    java.util.Optional<GraphTensor> embeddingCandidate() {
      for (int i = ops.size() - 1; i >= 0; i--) {
        GraphOp op = ops.get(i);
        if (op.builtinCode() != FULLY_CONNECTED || op.inputs().length == 0) {
          continue;
        }
        int in = op.inputs()[0];
        if (in < 0 || in >= tensors.size()) {
          return java.util.Optional.empty();
        }
        GraphTensor t = tensors.get(in);
        boolean rank2Float = t.shape().length == 2 && t.shape()[1] > 0 && t.dtype().equals("float32");
        return rank2Float && t.producedByOp() && !isOutput(in) ? java.util.Optional.of(t) : java.util.Optional.empty();
      }
      return java.util.Optional.empty();
    }

    /** Tensors computed by an operator that are not graph outputs: what {@link #withExtraOutput} can expose. */
    List<GraphTensor> intermediates() {
      return tensors.stream().filter(t -> t.producedByOp() && !isOutput(t.index())).toList();
    }
  }

  /** What the Java-side read finds: custom op names, signature definitions, the main subgraph, the file's bytes. */
  record Contents(List<String> customOps, List<SignatureDef> signatures, Graph graph, byte[] bytes) {}

  /** Custom op codes ("FlexAddV2", "TFLite_Detection_PostProcess", ...) the model's op table lists. */
  static List<String> customOps(String path) {
    return read(path).customOps();
  }

  /** Reads the op table and signature defs, validating every offset it follows. */
  static Contents read(String path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw ModelException.of(path, "cannot read TFLite model", e);
    }
    if (bytes.length < 16) {
      throw ModelException.of(path, "not a TFLite model (" + bytes.length + " bytes)");
    }
    if (bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
      throw ModelException.of(path, "not a TFLite model (no 'TFL3' flatbuffer identifier)");
    }
    TfLiteFlatbuffer fb = new TfLiteFlatbuffer(path, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    return new Contents(fb.readCustomOps(), fb.readSignatures(), fb.readGraph(), bytes);
  }

  /**
   * A copy of the model whose main subgraph lists {@code tensor} as one more output (the last).
   * A flatbuffer vector cannot grow in place, so the new outputs vector is appended after the
   * file's last byte and the subgraph's {@code outputs} offset is pointed at it; every other byte
   * stays as it was (fields of newer schemas included). The interpreter then keeps the tensor
   * alive, and a delegate (XNNPACK) hands it out as a partition output.
   */
  static byte[] withExtraOutput(String path, byte[] bytes, int tensor) {
    TfLiteFlatbuffer fb = new TfLiteFlatbuffer(path, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    int subgraph = fb.mainSubgraph();
    int field = fb.field(subgraph, 2); // SubGraph.outputs
    if (field < 0) {
      throw ModelException.of(path, "the main subgraph has no outputs vector to extend");
    }
    int oldVec = field + fb.u32(field);
    int n = fb.u32(oldVec);
    fb.check(oldVec + 4, 4L * n);
    // 16-byte aligned, beyond everything else; uoffsets point forward, so the new vector must follow the field.
    int start = (bytes.length + 15) & ~15;
    ByteBuffer out = ByteBuffer.allocate(start + 4 + 4 * (n + 1)).order(ByteOrder.LITTLE_ENDIAN);
    out.put(bytes);
    out.putInt(start, n + 1);
    for (int i = 0; i < n; i++) {
      out.putInt(start + 4 + 4 * i, fb.buf.getInt(oldVec + 4 + 4 * i));
    }
    out.putInt(start + 4 + 4 * n, tensor);
    out.putInt(field, start - field);
    return out.array();
  }

  /** Ops that TFLite runs as hybrid kernels when their weights (input 1) are int8 and their input 0 is float. */
  private static final Set<Integer> HYBRID_OPS = Set.of(3, 4, FULLY_CONNECTED, 126); // CONV_2D, DEPTHWISE_CONV_2D, FC, BATCH_MATMUL
  private static final int FLOAT32 = 0; // TensorType.FLOAT32

  /**
   * A copy of a dynamic-range-quantized model whose int8 weights are float32, so that its
   * convolutions and fully connected layers compute in float. TFLite runs a float-input op with int8
   * weights as a "hybrid" kernel, which quantizes the activations to int8 on every call; the
   * rounding then depends on the input's own range, so two near-identical recordings (a PCM16 WAV
   * and the float Vorbis it came from, 71 dB apart) get YAMNet vectors only 0.98 alike. With the
   * weights dequantized once here ({@code (q - zero_point) * scale}, per channel) the same pair
   * gives 1.0000, and the numbers are those of the float model the file was quantized from, up to
   * the weights' own rounding.
   *
   * <p>Each converted weight's buffer gets a new float vector appended after the file's last byte
   * (16-byte aligned) and its {@code data} offset pointed there; the tensor's type byte becomes
   * FLOAT32 and its quantization table is replaced by an empty one. Every other byte stays as it
   * was. A buffer is converted only when no other tensor (in any subgraph) uses it; sparse, external
   * (offset/size) and unusually quantized tensors are left alone.
   *
   * @return the rewritten model, or {@code null} when it has no hybrid weights
   */
  static byte[] withDequantizedWeights(String path, byte[] bytes) {
    ByteBuffer out = withDequantizedWeights(path, bytes, ByteBuffer::allocate);
    return out == null ? null : out.array();
  }

  /**
   * {@link #withDequantizedWeights(String, byte[])} written into a buffer of the given size from
   * {@code allocate} (e.g. native memory the interpreter will read in place, so that the larger
   * float model never passes through the Java heap).
   */
  static ByteBuffer withDequantizedWeights(String path, byte[] bytes, java.util.function.IntFunction<ByteBuffer> allocate) {
    TfLiteFlatbuffer fb = new TfLiteFlatbuffer(path, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    Graph graph = fb.readGraph();
    int[] tensorTables = fb.tables(fb.mainSubgraph(), 0); // SubGraph.tensors
    int[] bufferTables = fb.tables(fb.u32(0), 4); // Model.buffers
    Map<Integer, Boolean> weightUse = new LinkedHashMap<>(); // int8 tensor -> used only as a hybrid op's weights
    for (GraphOp op : graph.ops()) {
      int[] in = op.inputs();
      boolean hybrid = HYBRID_OPS.contains(op.builtinCode()) && in.length > 1 && dtype(graph, in[0]).equals("float32");
      for (int k = 0; k < in.length; k++) {
        if (dtype(graph, in[k]).equals("int8")) {
          weightUse.merge(in[k], hybrid && k == 1, Boolean::logicalAnd);
        }
      }
    }
    Map<Integer, Integer> bufferRefs = fb.bufferReferences();
    List<Conversion> conversions = new ArrayList<>();
    for (Map.Entry<Integer, Boolean> e : weightUse.entrySet()) {
      int t = tensorTables[e.getKey()];
      int buffer = fb.scalarInt(t, 2);
      // A buffer another tensor also uses keeps its bytes: one float copy could carry only one tensor's scales.
      if (!e.getValue() || buffer <= 0 || buffer >= bufferTables.length || bufferRefs.getOrDefault(buffer, 0) != 1
          || fb.field(t, 6) >= 0) { // 6: sparsity
        continue;
      }
      int b = bufferTables[buffer];
      int dataField = fb.field(b, 0);
      if (dataField < 0 || fb.scalarLong(b, 1) > 1) { // external data (Buffer.offset) stays as it is
        continue;
      }
      int vec = dataField + fb.u32(dataField);
      int n = fb.u32(vec);
      fb.check(vec + 4, n);
      Quantization q = n > 0 ? fb.quantization(t, n) : null;
      if (q != null) {
        conversions.add(new Conversion(t, dataField, vec + 4, n, q));
      }
    }
    if (conversions.isEmpty()) {
      return null;
    }
    // Layout: each float vector (length prefix, then 16-byte aligned data), then one empty quantization table.
    long size = bytes.length;
    long[] starts = new long[conversions.size()];
    for (int i = 0; i < conversions.size(); i++) {
      starts[i] = ((size + 4 + 15) & ~15L) - 4;
      size = starts[i] + 4 + 4L * conversions.get(i).n();
    }
    long vtable = (size + 3) & ~3L;
    long emptyTable = vtable + 4;
    size = emptyTable + 4;
    if (size > Integer.MAX_VALUE - 16) {
      throw ModelException.of(path, "too large to dequantize in memory (" + size + " bytes)");
    }
    ByteBuffer out = allocate.apply((int) size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, bytes);
    out.putShort((int) vtable, (short) 4).putShort((int) vtable + 2, (short) 4); // a vtable with no fields
    out.putInt((int) emptyTable, (int) (emptyTable - vtable)); // soffset: table minus vtable
    for (int i = 0; i < conversions.size(); i++) {
      Conversion c = conversions.get(i);
      int start = (int) starts[i];
      float[] values = c.quantization().dequantize(fb.buf, c.data(), c.n());
      out.putInt(start, 4 * values.length);
      out.slice(start + 4, 4 * values.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
      out.putInt(c.dataField(), start - c.dataField());
      out.put(fb.field(c.tensor(), 1), (byte) FLOAT32);
      int quant = fb.field(c.tensor(), 4);
      if (quant >= 0) {
        out.putInt(quant, (int) (emptyTable - quant));
      }
    }
    return out;
  }

  /**
   * One weight to convert: its tensor table, its buffer's {@code data} field (re-pointed at the float
   * copy), the int8 bytes and their count, and how to dequantize them.
   */
  private record Conversion(int tensor, int dataField, int data, int n, Quantization quantization) {}

  /** The dtype of tensor {@code index} of the main subgraph; "" for an omitted (-1) or out-of-range input. */
  private static String dtype(Graph graph, int index) {
    return index >= 0 && index < graph.tensors().size() ? graph.tensors().get(index).dtype() : "";
  }

  /** An int8 tensor's quantization: {@code real = (q - zeros[c]) * scales[c]}, channel {@code c = (i / inner) % channels}. */
  private record Quantization(float[] scales, long[] zeros, int inner) {
    float[] dequantize(ByteBuffer buf, int data, int n) {
      byte[] q = new byte[n];
      buf.get(data, q);
      float[] v = new float[n];
      int channels = scales.length;
      // Runs of `inner` elements share a channel: no division per element (this runs once per model
      // load, often before the JIT has compiled anything).
      for (int from = 0, c = 0; from < n; from += inner, c = c + 1 == channels ? 0 : c + 1) {
        float scale = scales[c];
        long zero = zeros[c];
        for (int i = from, end = Math.min(n, from + inner); i < end; i++) {
          v[i] = (float) ((q[i] - zero) * (double) scale);
        }
      }
      return v;
    }
  }

  /**
   * The quantization of tensor table {@code t} with {@code n} elements: per tensor or per channel
   * along {@code quantized_dimension}; {@code null} when it is missing or does not fit the shape.
   */
  private Quantization quantization(int t, int n) {
    int q = field(t, 4);
    if (q < 0) {
      return null;
    }
    int table = q + u32(q);
    int scaleField = field(table, 2);
    if (scaleField < 0) {
      return null;
    }
    int scaleVec = scaleField + u32(scaleField);
    int channels = u32(scaleVec);
    check(scaleVec + 4, 4L * channels);
    int zpField = field(table, 3);
    int zpVec = zpField < 0 ? -1 : zpField + u32(zpField);
    int zpCount = zpVec < 0 ? 0 : u32(zpVec);
    if (zpVec >= 0) {
      check(zpVec + 4, 8L * zpCount);
    }
    int[] shape = intVector(t, 0);
    int dim = scalarInt(table, 6);
    long elements = 1;
    for (int d : shape) {
      elements *= d;
    }
    if (elements != n || channels < 1 || (zpCount != 0 && zpCount != channels)
        || (channels > 1 && (dim < 0 || dim >= shape.length || shape[dim] != channels))) {
      return null;
    }
    int inner = 1;
    for (int k = dim + 1; channels > 1 && k < shape.length; k++) {
      inner *= shape[k];
    }
    float[] scales = new float[channels];
    long[] zeros = new long[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = buf.getFloat(scaleVec + 4 + 4 * c);
      zeros[c] = zpCount == 0 ? 0 : buf.getLong(zpVec + 4 + 8 * c);
    }
    return new Quantization(scales, zeros, channels == 1 ? n : inner);
  }

  /** Positions of the tables in vector field {@code index} of table {@code table}; empty when absent. */
  private int[] tables(int table, int index) {
    int vec = vector(table, index);
    int[] out = new int[vec < 0 ? 0 : u32(vec)];
    for (int i = 0; i < out.length; i++) {
      int elem = vec + 4 + 4 * i;
      out[i] = elem + u32(elem);
    }
    return out;
  }

  /** How many tensors, over all subgraphs, use each buffer. */
  private Map<Integer, Integer> bufferReferences() {
    Map<Integer, Integer> refs = new java.util.HashMap<>();
    for (int g : tables(u32(0), 2)) { // Model.subgraphs
      for (int t : tables(g, 0)) {
        refs.merge(scalarInt(t, 2), 1, Integer::sum);
      }
    }
    return refs;
  }

  private int mainSubgraph() {
    int[] subgraphs = tables(u32(0), 2); // Model.subgraphs
    if (subgraphs.length < 1) {
      throw ModelException.of(path, "not a runnable TFLite model (no subgraphs)");
    }
    return subgraphs[0];
  }

  private Graph readGraph() {
    int model = u32(0);
    List<Integer> builtinCodes = new ArrayList<>();
    for (int table : tables(model, 1)) { // Model.operator_codes
      builtinCodes.add(Math.max(scalarByte(table, 0), scalarInt(table, 3)));
    }
    int g = mainSubgraph();
    List<GraphOp> ops = new ArrayList<>();
    Set<Integer> produced = new java.util.HashSet<>();
    for (int table : tables(g, 3)) { // SubGraph.operators
      int opcode = scalarInt(table, 0);
      int code = opcode >= 0 && opcode < builtinCodes.size() ? builtinCodes.get(opcode) : -1;
      int[] outs = intVector(table, 2);
      for (int o : outs) {
        produced.add(o);
      }
      ops.add(new GraphOp(code, intVector(table, 1), outs));
    }
    List<GraphTensor> tensors = new ArrayList<>();
    int[] tensorTables = tables(g, 0); // SubGraph.tensors
    for (int i = 0; i < tensorTables.length; i++) {
      int table = tensorTables[i];
      int nameField = field(table, 3);
      String name = nameField < 0 ? "tensor_" + i : string(nameField + u32(nameField));
      int[] shape = intVector(table, 0);
      int[] signature = intVector(table, 7); // shape_signature: -1 for dynamic dims
      int[] dims = signature.length == shape.length && signature.length > 0 ? signature : shape;
      long[] longDims = new long[dims.length];
      for (int k = 0; k < dims.length; k++) {
        longDims[k] = dims[k];
      }
      tensors.add(new GraphTensor(i, name, longDims, dtypeName(scalarByte(table, 1)), produced.contains(i)));
    }
    return new Graph(List.copyOf(tensors), List.copyOf(ops), intVector(g, 1), intVector(g, 2));
  }

  /** schema.fbs TensorType, in the names {@link TensorInfo} uses. */
  private static String dtypeName(int type) {
    return switch (type) {
      case 0 -> "float32";
      case 1 -> "float16";
      case 2 -> "int32";
      case 3 -> "uint8";
      case 4 -> "int64";
      case 5 -> "string";
      case 6 -> "bool";
      case 7 -> "int16";
      case 9 -> "int8";
      case 10 -> "float64";
      default -> "type" + type;
    };
  }

  /** An int vector field of a table, empty when absent. */
  private int[] intVector(int table, int index) {
    int vec = vector(table, index);
    int[] out = new int[vec < 0 ? 0 : u32(vec)];
    for (int i = 0; i < out.length; i++) {
      out[i] = buf.getInt(vec + 4 + 4 * i);
    }
    return out;
  }

  /** Position of the 4-byte-element vector in field {@code index} of {@code table} (its length word), -1 when absent. */
  private int vector(int table, int index) {
    int f = field(table, index);
    if (f < 0) {
      return -1;
    }
    int vec = f + u32(f);
    check(vec + 4, 4L * u32(vec));
    return vec;
  }

  private List<SignatureDef> readSignatures() {
    List<SignatureDef> out = new ArrayList<>();
    for (int table : tables(u32(0), 7)) { // Model.signature_defs
      int keyField = field(table, 2);
      String key = keyField < 0 ? "" : string(keyField + u32(keyField));
      out.add(new SignatureDef(key, scalarInt(table, 4), tensorMaps(table, 0), tensorMaps(table, 1)));
    }
    return out;
  }

  private Map<String, Integer> tensorMaps(int signatureTable, int index) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int table : tables(signatureTable, index)) {
      int nameField = field(table, 0);
      if (nameField >= 0) {
        map.put(string(nameField + u32(nameField)), scalarInt(table, 1));
      }
    }
    return map;
  }

  private List<String> readCustomOps() {
    Set<String> names = new LinkedHashSet<>();
    for (int table : tables(u32(0), 1)) { // Model.operator_codes
      int deprecated = scalarByte(table, 0);
      int builtin = scalarInt(table, 3);
      int code = Math.max(deprecated, builtin);
      int custom = field(table, 1);
      if (code == CUSTOM && custom >= 0) {
        names.add(string(custom + u32(custom)));
      }
    }
    return new ArrayList<>(names);
  }

  /** Absolute position of a table field, or -1 when absent. */
  private int field(int table, int index) {
    int vtable = table - i32(table);
    int vtSize = u16(vtable);
    int off = 4 + 2 * index;
    if (off + 2 > vtSize) {
      return -1;
    }
    int rel = u16(vtable + off);
    return rel == 0 ? -1 : table + rel;
  }

  private int scalarByte(int table, int index) {
    int p = field(table, index);
    if (p < 0) {
      return 0;
    }
    check(p, 1);
    return buf.get(p) & 0xff;
  }

  private int scalarInt(int table, int index) {
    int p = field(table, index);
    return p < 0 ? 0 : i32(p);
  }

  private long scalarLong(int table, int index) {
    int p = field(table, index);
    if (p < 0) {
      return 0;
    }
    check(p, 8);
    return buf.getLong(p);
  }

  private String string(int pos) {
    int len = u32(pos);
    check(pos + 4, len);
    return new String(buf.array(), pos + 4, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  private int u32(int pos) {
    int v = i32(pos);
    if (v < 0) {
      throw ModelException.of(path, "corrupt TFLite flatbuffer (bad offset at byte " + pos + ")");
    }
    return v;
  }

  private int i32(int pos) {
    check(pos, 4);
    return buf.getInt(pos);
  }

  private int u16(int pos) {
    check(pos, 2);
    return buf.getShort(pos) & 0xffff;
  }

  private void check(int pos, long len) {
    if (pos < 0 || len < 0 || pos + len > buf.capacity()) {
      throw ModelException.of(path, "truncated or corrupt TFLite flatbuffer (offset " + pos
          + " beyond " + buf.capacity() + " bytes)");
    }
  }
}
