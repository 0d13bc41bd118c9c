package org.humpback.transforms.testing;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.FlexBuffersBuilder;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.types.TFloat32;

/**
 * Writes small but real model files for tests: the same dense layer {@code y = x·Wᵀ + b} (and
 * {@code relu(y)} as a second output) as a TFLite flatbuffer, an fp16-weight TFLite, a TFLite with
 * a Select-TF (Flex) op, a TF SavedModel exported by TF Java, and a hand-written ONNX protobuf.
 * {@link Dense#apply} computes the expected output in plain Java.
 *
 * <p>Weights are multiples of 1/64 in [-1, 1], so they are exact in float16 as well: every runtime
 * must match {@link Dense#apply} to float rounding.
 *
 * <p>Output names are the same in all formats: {@code embedding} (the dense output, {@code [batch, out]})
 * and {@code relu} ({@code relu(embedding)}); the input is {@code input} ({@code [batch, in]}).
 */
public final class TinyModels {

  private TinyModels() {}

  /** Name of the dense output in every written model. */
  public static final String EMBEDDING = "embedding";
  /** Name of the relu output in every written model. */
  public static final String RELU = "relu";
  /** Name of the input in every written model. */
  public static final String INPUT = "input";

  /**
   * A dense layer with known weights.
   *
   * @param weights {@code [out][in]}
   * @param bias {@code [out]}
   */
  public record Dense(float[][] weights, float[] bias) {
    public int in() {
      return weights[0].length;
    }

    public int out() {
      return weights.length;
    }

    /** {@code x·Wᵀ + b}, in double then rounded, as a runtime should compute it. */
    public float[] apply(float[] x) {
      float[] y = new float[out()];
      for (int o = 0; o < out(); o++) {
        double s = bias[o];
        for (int i = 0; i < in(); i++) {
          s += (double) weights[o][i] * x[i];
        }
        y[o] = (float) s;
      }
      return y;
    }

    /** {@code relu(apply(x))}. */
    public float[] applyRelu(float[] x) {
      float[] y = apply(x);
      for (int i = 0; i < y.length; i++) {
        y[i] = Math.max(0f, y[i]);
      }
      return y;
    }
  }

  /** A deterministic dense layer: weights and biases are k/64, k in [-64, 64], from {@code seed}. */
  public static Dense dense(int in, int out, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[][] w = new float[out][in];
    for (float[] row : w) {
      for (int i = 0; i < in; i++) {
        row[i] = (r.nextInt(129) - 64) / 64f;
      }
    }
    float[] b = new float[out];
    for (int o = 0; o < out; o++) {
      b[o] = (r.nextInt(129) - 64) / 64f;
    }
    return new Dense(w, b);
  }

  // ---------------------------------------------------------------------------------------------
  // TFLite

  /**
   * A float32 TFLite model: {@code input [1, in]} (signature {@code [-1, in]} when {@code dynamicBatch},
   * so the runtime may resize it) → FULLY_CONNECTED → {@code embedding [1, out]} → RELU → {@code relu}.
   */
  public static Path writeTfLite(Path file, Dense d, boolean dynamicBatch) {
    return writeTfLite(file, d, dynamicBatch, Variant.FLOAT32);
  }

  /**
   * Like {@link #writeTfLite} but the input has no batch dimension: {@code input [in]} (as in
   * Google's YAMNet TFLite, whose input is {@code [15600]}); outputs stay {@code [1, out]}.
   */
  public static Path writeTfLiteUnbatched(Path file, Dense d) {
    return writeTfLite(file, d, false, Variant.UNBATCHED);
  }

  /**
   * Like {@link #writeTfLite} but the input's length is declared dynamic: signature {@code [1, -1]}, as a converter
   * writes a model traced with an unknown number of samples. Probing cannot tell its window; the graph still only
   * computes windows of {@code in} values (a classifier found in a public repository was exactly this).
   */
  public static Path writeTfLiteDynamicLength(Path file, Dense d) {
    return writeTfLite(file, d, false, Variant.DYNAMIC_LENGTH);
  }

  /** Like {@link #writeTfLite} but the weights are stored as float16 and DEQUANTIZEd to float32 in the graph. */
  public static Path writeTfLiteFp16(Path file, Dense d) {
    return writeTfLite(file, d, false, Variant.FP16);
  }

  /**
   * Like {@link #writeTfLite} but {@code embedding} is computed as {@code FlexAddV2(fc, fc)}, i.e.
   * {@code 2·(x·Wᵀ + b)}, through a Select-TF op (custom op "FlexAddV2" whose options are the
   * flexbuffer vector {@code [op name, serialized NodeDef]}, as the TF converter writes them).
   */
  public static Path writeTfLiteFlex(Path file, Dense d) {
    return writeTfLite(file, d, false, Variant.FLEX);
  }

  /**
   * Like {@link #writeTfLiteFlex} but with any custom op in place of FlexAddV2: {@code customCode}
   * (e.g. "FlexNoSuchOp", or a non-Flex "MyCustomOp") and, for Flex codes, the TF op name the NodeDef
   * carries. Used to check how models the runtime cannot run are reported.
   */
  public static Path writeTfLiteCustomOp(Path file, Dense d, String customCode, String tfOp) {
    return writeTfLite(file, d, false, Variant.FLEX, customCode, tfOp);
  }

  /**
   * Like {@link #writeTfLite} but dynamic-range quantized, as TFLite's converter writes such models:
   * the FULLY_CONNECTED takes int8 weights directly (no DEQUANTIZE), one scale per output channel
   * ({@code max|w| / 127}, quantized dimension 0). TFLite runs it as a hybrid kernel unless the
   * weights are dequantized first; {@link #hybridWeights} gives the layer the file really holds.
   */
  public static Path writeTfLiteHybrid(Path file, Dense d) {
    return writeTfLite(file, d, false, Variant.HYBRID_INT8);
  }

  /** The per-channel scales {@link #writeTfLiteHybrid} uses. */
  static float[] hybridScales(Dense d) {
    float[] scales = new float[d.out()];
    for (int o = 0; o < d.out(); o++) {
      float max = 0;
      for (float w : d.weights()[o]) {
        max = Math.max(max, Math.abs(w));
      }
      scales[o] = max == 0 ? 1f : max / 127f;
    }
    return scales;
  }

  /** The dense layer {@link #writeTfLiteHybrid} stores: each weight rounded to its channel's int8 step. */
  public static Dense hybridWeights(Dense d) {
    float[] scales = hybridScales(d);
    float[][] w = new float[d.out()][d.in()];
    for (int o = 0; o < d.out(); o++) {
      for (int i = 0; i < d.in(); i++) {
        w[o][i] = Math.round(d.weights()[o][i] / scales[o]) * scales[o];
      }
    }
    return new Dense(w, d.bias());
  }

  /** Scale and zero point of an int8 tensor: {@code real = (q - zeroPoint) * scale}. */
  public record Quant(float scale, int zeroPoint) {
    public byte quantize(float x) {
      return (byte) Math.max(-128, Math.min(127, Math.round(x / scale) + zeroPoint));
    }

    public float dequantize(byte q) {
      return (q - zeroPoint) * scale;
    }
  }

  /**
   * A model with int8 input and outputs, as fully quantized exports have: {@code input} int8
   * ({@code inQ}) → DEQUANTIZE → float FULLY_CONNECTED → QUANTIZE → {@code embedding} int8
   * ({@code outQ}); {@code relu} likewise from the float relu. The runtime must quantize what it
   * feeds and dequantize what it reads.
   */
  public static Path writeTfLiteInt8Io(Path file, Dense d, Quant inQ, Quant outQ) {
    int in = d.in();
    int out = d.out();
    List<BufferT> buffers = new ArrayList<>();
    buffers.add(buffer(new int[0]));
    buffers.add(buffer(floatBytes(d.weights())));
    buffers.add(buffer(floatBytes(new float[][] {d.bias()})));
    List<OperatorCodeT> codes = new ArrayList<>();
    TensorT[] t = {
        tensor(INPUT, new int[] {1, in}, null, TensorType.INT8, 0),
        tensor("input_float", new int[] {1, in}, null, TensorType.FLOAT32, 0),
        tensor("weights", new int[] {out, in}, null, TensorType.FLOAT32, 1),
        tensor("bias", new int[] {out}, null, TensorType.FLOAT32, 2),
        tensor("dense_float", new int[] {1, out}, null, TensorType.FLOAT32, 0),
        tensor("relu_float", new int[] {1, out}, null, TensorType.FLOAT32, 0),
        tensor(EMBEDDING, new int[] {1, out}, null, TensorType.INT8, 0),
        tensor(RELU, new int[] {1, out}, null, TensorType.INT8, 0)};
    t[0].setQuantization(quantization(inQ));
    t[6].setQuantization(quantization(outQ));
    t[7].setQuantization(quantization(outQ));
    FullyConnectedOptionsT fcOptions = new FullyConnectedOptionsT();
    BuiltinOptionsUnion fcUnion = new BuiltinOptionsUnion();
    fcUnion.setType(BuiltinOptions.FullyConnectedOptions);
    fcUnion.setValue(fcOptions);
    OperatorT[] ops = {
        op(opcode(codes, BuiltinOperator.DEQUANTIZE, null), new int[] {0}, new int[] {1}, null),
        op(opcode(codes, BuiltinOperator.FULLY_CONNECTED, null), new int[] {1, 2, 3}, new int[] {4}, fcUnion),
        op(opcode(codes, BuiltinOperator.RELU, null), new int[] {4}, new int[] {5}, null),
        op(opcode(codes, BuiltinOperator.QUANTIZE, null), new int[] {4}, new int[] {6}, null),
        op(opcode(codes, BuiltinOperator.QUANTIZE, null), new int[] {5}, new int[] {7}, null)};
    SubGraphT graph = new SubGraphT();
    graph.setName("main");
    graph.setTensors(t);
    graph.setInputs(new int[] {0});
    graph.setOutputs(new int[] {6, 7});
    graph.setOperators(ops);
    ModelT model = new ModelT();
    model.setVersion(3);
    model.setDescription("humpback TinyModels INT8_IO");
    model.setOperatorCodes(codes.toArray(new OperatorCodeT[0]));
    model.setSubgraphs(new SubGraphT[] {graph});
    model.setBuffers(buffers.toArray(new BufferT[0]));
    FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    Model.finishModelBuffer(fbb, Model.pack(fbb, model));
    return write(file, fbb.sizedByteArray());
  }

  /** Tensor names of {@link #writeTfLiteClassifier}. */
  public static final String HIDDEN = "hidden";
  public static final String HIDDEN_RELU = "hidden_relu";
  public static final String LOGITS = "logits";
  public static final String SCORES = "scores";

  /**
   * A small classifier shaped like YAMNet's head, whose only output is the class scores:
   * {@code input [1, in]} → FULLY_CONNECTED {@code hidden} → {@code hidden} → RELU →
   * {@code hidden_relu} → FULLY_CONNECTED {@code head} → {@code logits} → LOGISTIC → {@code scores}.
   * {@code hidden}, {@code hidden_relu} and {@code logits} are intermediate tensors (not graph
   * outputs); {@code hidden_relu} is the "embedding" (the input of the last FULLY_CONNECTED).
   * With {@code dynamicBatch} every activation's signature is {@code [-1, n]}.
   */
  public static Path writeTfLiteClassifier(Path file, Dense hidden, Dense head, boolean dynamicBatch) {
    if (head.in() != hidden.out()) {
      throw new IllegalArgumentException("head takes " + head.in() + " values, hidden gives " + hidden.out());
    }
    List<BufferT> buffers = new ArrayList<>();
    buffers.add(buffer(new int[0]));
    buffers.add(buffer(floatBytes(hidden.weights())));
    buffers.add(buffer(floatBytes(new float[][] {hidden.bias()})));
    buffers.add(buffer(floatBytes(head.weights())));
    buffers.add(buffer(floatBytes(new float[][] {head.bias()})));
    int h = hidden.out();
    int k = head.out();
    TensorT[] t = {
        tensor(INPUT, new int[] {1, hidden.in()}, dynamicBatch ? new int[] {-1, hidden.in()} : null, TensorType.FLOAT32, 0),
        tensor("hidden_weights", new int[] {h, hidden.in()}, null, TensorType.FLOAT32, 1),
        tensor("hidden_bias", new int[] {h}, null, TensorType.FLOAT32, 2),
        tensor("head_weights", new int[] {k, h}, null, TensorType.FLOAT32, 3),
        tensor("head_bias", new int[] {k}, null, TensorType.FLOAT32, 4),
        tensor(HIDDEN, new int[] {1, h}, dynamicBatch ? new int[] {-1, h} : null, TensorType.FLOAT32, 0),
        tensor(HIDDEN_RELU, new int[] {1, h}, dynamicBatch ? new int[] {-1, h} : null, TensorType.FLOAT32, 0),
        tensor(LOGITS, new int[] {1, k}, dynamicBatch ? new int[] {-1, k} : null, TensorType.FLOAT32, 0),
        tensor(SCORES, new int[] {1, k}, dynamicBatch ? new int[] {-1, k} : null, TensorType.FLOAT32, 0)};
    List<OperatorCodeT> codes = new ArrayList<>();
    BuiltinOptionsUnion fc = new BuiltinOptionsUnion();
    fc.setType(BuiltinOptions.FullyConnectedOptions);
    fc.setValue(new FullyConnectedOptionsT());
    int fcCode = opcode(codes, BuiltinOperator.FULLY_CONNECTED, null);
    OperatorT[] ops = {
        op(fcCode, new int[] {0, 1, 2}, new int[] {5}, fc),
        op(opcode(codes, BuiltinOperator.RELU, null), new int[] {5}, new int[] {6}, null),
        op(fcCode, new int[] {6, 3, 4}, new int[] {7}, fc),
        op(opcode(codes, BuiltinOperator.LOGISTIC, null), new int[] {7}, new int[] {8}, null)};
    SubGraphT graph = new SubGraphT();
    graph.setName("main");
    graph.setTensors(t);
    graph.setInputs(new int[] {0});
    graph.setOutputs(new int[] {8});
    graph.setOperators(ops);
    ModelT model = new ModelT();
    model.setVersion(3);
    model.setDescription("humpback TinyModels CLASSIFIER");
    model.setOperatorCodes(codes.toArray(new OperatorCodeT[0]));
    model.setSubgraphs(new SubGraphT[] {graph});
    model.setBuffers(buffers.toArray(new BufferT[0]));
    FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    Model.finishModelBuffer(fbb, Model.pack(fbb, model));
    return write(file, fbb.sizedByteArray());
  }

  private static org.tensorflow.lite.schema.QuantizationParametersT quantization(Quant q) {
    org.tensorflow.lite.schema.QuantizationParametersT p = new org.tensorflow.lite.schema.QuantizationParametersT();
    p.setScale(new float[] {q.scale()});
    p.setZeroPoint(new long[] {q.zeroPoint()});
    return p;
  }

  private enum Variant { FLOAT32, FP16, FLEX, UNBATCHED, HYBRID_INT8, DYNAMIC_LENGTH }

  private static Path writeTfLite(Path file, Dense d, boolean dynamicBatch, Variant variant) {
    return writeTfLite(file, d, dynamicBatch, variant, "FlexAddV2", "AddV2");
  }

  private static Path writeTfLite(Path file, Dense d, boolean dynamicBatch, Variant variant,
      String customCode, String tfOp) {
    int in = d.in();
    int out = d.out();
    List<BufferT> buffers = new ArrayList<>();
    buffers.add(buffer(new int[0])); // buffer 0: the empty sentinel every non-constant tensor uses
    List<TensorT> tensors = new ArrayList<>();
    List<OperatorT> ops = new ArrayList<>();
    List<OperatorCodeT> codes = new ArrayList<>();

    int input = tensors.size();
    tensors.add(variant == Variant.UNBATCHED ? tensor(INPUT, new int[] {in}, null, TensorType.FLOAT32, 0)
        : variant == Variant.DYNAMIC_LENGTH ? tensor(INPUT, new int[] {1, in}, new int[] {1, -1}, TensorType.FLOAT32, 0)
        : tensor(INPUT, new int[] {1, in}, dynamicBatch ? new int[] {-1, in} : null, TensorType.FLOAT32, 0));

    int weights;
    if (variant == Variant.FP16) {
      buffers.add(buffer(fp16Bytes(d.weights())));
      int halfWeights = tensors.size();
      tensors.add(tensor("weights_fp16", new int[] {out, in}, null, TensorType.FLOAT16, buffers.size() - 1));
      weights = tensors.size();
      tensors.add(tensor("weights", new int[] {out, in}, null, TensorType.FLOAT32, 0));
      ops.add(op(opcode(codes, BuiltinOperator.DEQUANTIZE, null), new int[] {halfWeights}, new int[] {weights}, null));
    } else if (variant == Variant.HYBRID_INT8) {
      float[] scales = hybridScales(d);
      byte[] q = new byte[out * in];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          q[o * in + i] = (byte) Math.round(d.weights()[o][i] / scales[o]);
        }
      }
      buffers.add(buffer(q));
      weights = tensors.size();
      TensorT t = tensor("weights_int8", new int[] {out, in}, null, TensorType.INT8, buffers.size() - 1);
      org.tensorflow.lite.schema.QuantizationParametersT p = new org.tensorflow.lite.schema.QuantizationParametersT();
      p.setScale(scales);
      p.setZeroPoint(new long[out]);
      p.setQuantizedDimension(0);
      t.setQuantization(p);
      tensors.add(t);
    } else {
      buffers.add(buffer(floatBytes(d.weights())));
      weights = tensors.size();
      tensors.add(tensor("weights", new int[] {out, in}, null, TensorType.FLOAT32, buffers.size() - 1));
    }
    buffers.add(buffer(floatBytes(new float[][] {d.bias()})));
    int bias = tensors.size();
    tensors.add(tensor("bias", new int[] {out}, null, TensorType.FLOAT32, buffers.size() - 1));

    int[] outShape = {1, out};
    int[] outSig = dynamicBatch ? new int[] {-1, out} : null;
    int embedding;
    FullyConnectedOptionsT fcOptions = new FullyConnectedOptionsT();
    BuiltinOptionsUnion fcUnion = new BuiltinOptionsUnion();
    fcUnion.setType(BuiltinOptions.FullyConnectedOptions);
    fcUnion.setValue(fcOptions);
    int fcCode = opcode(codes, BuiltinOperator.FULLY_CONNECTED, null);
    if (variant == Variant.FLEX) {
      int fc = tensors.size();
      tensors.add(tensor("dense", outShape, outSig, TensorType.FLOAT32, 0));
      ops.add(op(fcCode, new int[] {input, weights, bias}, new int[] {fc}, fcUnion));
      embedding = tensors.size();
      tensors.add(tensor(EMBEDDING, outShape, outSig, TensorType.FLOAT32, 0));
      OperatorT flex = op(opcode(codes, BuiltinOperator.CUSTOM, customCode), new int[] {fc, fc}, new int[] {embedding}, null);
      if (customCode.startsWith("Flex")) {
        flex.setCustomOptions(flexOptions(tfOp));
      }
      ops.add(flex);
    } else {
      embedding = tensors.size();
      tensors.add(tensor(EMBEDDING, outShape, outSig, TensorType.FLOAT32, 0));
      ops.add(op(fcCode, new int[] {input, weights, bias}, new int[] {embedding}, fcUnion));
    }
    int relu = tensors.size();
    tensors.add(tensor(RELU, outShape, outSig, TensorType.FLOAT32, 0));
    ops.add(op(opcode(codes, BuiltinOperator.RELU, null), new int[] {embedding}, new int[] {relu}, null));

    SubGraphT graph = new SubGraphT();
    graph.setName("main");
    graph.setTensors(tensors.toArray(new TensorT[0]));
    graph.setInputs(new int[] {input});
    graph.setOutputs(new int[] {embedding, relu});
    graph.setOperators(ops.toArray(new OperatorT[0]));

    ModelT model = new ModelT();
    model.setVersion(3);
    model.setDescription("humpback TinyModels " + variant);
    model.setOperatorCodes(codes.toArray(new OperatorCodeT[0]));
    model.setSubgraphs(new SubGraphT[] {graph});
    model.setBuffers(buffers.toArray(new BufferT[0]));

    FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    int root = Model.pack(fbb, model);
    Model.finishModelBuffer(fbb, root);
    return write(file, fbb.sizedByteArray());
  }

  private static TensorT tensor(String name, int[] shape, int[] signature, byte type, int buffer) {
    TensorT t = new TensorT();
    t.setName(name);
    t.setShape(shape);
    if (signature != null) {
      t.setShapeSignature(signature);
    }
    t.setType(type);
    t.setBuffer(buffer);
    return t;
  }

  private static BufferT buffer(int[] ubytes) {
    BufferT b = new BufferT();
    b.setData(ubytes);
    return b;
  }

  private static BufferT buffer(byte[] bytes) {
    int[] u = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      u[i] = bytes[i] & 0xff;
    }
    return buffer(u);
  }

  private static int opcode(List<OperatorCodeT> codes, int builtin, String custom) {
    for (int i = 0; i < codes.size(); i++) {
      OperatorCodeT c = codes.get(i);
      if (c.getBuiltinCode() == builtin && java.util.Objects.equals(c.getCustomCode(), custom)) {
        return i;
      }
    }
    OperatorCodeT c = new OperatorCodeT();
    c.setBuiltinCode(builtin);
    c.setDeprecatedBuiltinCode((byte) Math.min(builtin, 127));
    c.setVersion(1);
    if (custom != null) {
      c.setCustomCode(custom);
    }
    codes.add(c);
    return codes.size() - 1;
  }

  private static OperatorT op(int opcodeIndex, int[] inputs, int[] outputs, BuiltinOptionsUnion options) {
    OperatorT o = new OperatorT();
    o.setOpcodeIndex(opcodeIndex);
    o.setInputs(inputs);
    o.setOutputs(outputs);
    if (options != null) {
      o.setBuiltinOptions(options);
    }
    return o;
  }

  /** The Flex custom options TF's converter writes: flexbuffer vector [op name, NodeDef bytes as a string]. */
  private static int[] flexOptions(String tfOp) {
    byte[] nodeDef = NodeDef.newBuilder()
        .setName("add").setOp(tfOp).addInput("x").addInput("y")
        .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .build().toByteArray();
    for (byte b : nodeDef) {
      // Flexbuffer strings go through Java Strings here; 7-bit bytes survive UTF-8 unchanged.
      if (b < 0) {
        throw new IllegalStateException("NodeDef bytes are not 7-bit; cannot pass them as a Java string");
      }
    }
    FlexBuffersBuilder fb = new FlexBuffersBuilder(FlexBuffersBuilder.BUILDER_FLAG_NONE);
    int start = fb.startVector();
    fb.putString(tfOp);
    fb.putString(new String(nodeDef, StandardCharsets.ISO_8859_1));
    fb.endVector(null, start, false, false);
    ByteBuffer bb = fb.finish();
    int[] u = new int[bb.remaining()];
    for (int i = 0; i < u.length; i++) {
      u[i] = bb.get(bb.position() + i) & 0xff;
    }
    return u;
  }

  private static byte[] floatBytes(float[][] rows) {
    ByteBuffer bb = ByteBuffer.allocate(rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float v : row) {
        bb.putFloat(v);
      }
    }
    return bb.array();
  }

  private static byte[] fp16Bytes(float[][] rows) {
    ByteBuffer bb = ByteBuffer.allocate(rows.length * rows[0].length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float v : row) {
        bb.putShort(toHalf(v));
      }
    }
    return bb.array();
  }

  /** IEEE half of a float that is exactly representable (our k/64 weights); no rounding needed. */
  static short toHalf(float v) {
    if (v == 0f) {
      return (short) (Float.floatToRawIntBits(v) >>> 16 & 0x8000);
    }
    int bits = Float.floatToRawIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
    int mant = (bits >>> 13) & 0x3ff;
    if (exp <= 0 || exp >= 31 || (bits & 0x1fff) != 0) {
      throw new IllegalArgumentException(v + " is not exactly representable as a normal float16");
    }
    return (short) (sign | exp << 10 | mant);
  }

  // ---------------------------------------------------------------------------------------------
  // SavedModel

  /**
   * A TF SavedModel exported by TF Java: for each key in {@code signatureKeys} a signature with input
   * {@code input} ({@code [-1, in]}, or {@code [-1, in, 1]} when {@code channelDim}) and outputs
   * {@code embedding} and {@code relu}. With no keys, one {@code serving_default} signature.
   */
  public static Path writeSavedModel(Path dir, Dense d, boolean channelDim, String... signatureKeys) {
    String[] keys = signatureKeys.length == 0 ? new String[] {Signature.DEFAULT_KEY} : signatureKeys;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      float[][] wt = new float[d.in()][d.out()];
      for (int o = 0; o < d.out(); o++) {
        for (int i = 0; i < d.in(); i++) {
          wt[i][o] = d.weights()[o][i];
        }
      }
      List<SessionFunction> functions = new ArrayList<>();
      for (String key : keys) {
        Placeholder<TFloat32> x = tf.withName(key + "_input").placeholder(TFloat32.class,
            Placeholder.shape(channelDim ? Shape.of(-1, d.in(), 1) : Shape.of(-1, d.in())));
        Operand<TFloat32> flat = channelDim ? tf.reshape(x, tf.constant(new int[] {-1, d.in()})) : x;
        Operand<TFloat32> y = tf.withName(key + "_embedding").math.add(
            tf.linalg.matMul(flat, tf.constant(wt)), tf.constant(d.bias()));
        Operand<TFloat32> r = tf.withName(key + "_relu").nn.relu(y);
        Signature sig = Signature.builder().key(key)
            .input(INPUT, x).output(EMBEDDING, y).output(RELU, r).build();
        functions.add(SessionFunction.create(sig, s));
      }
      SavedModelBundle.exporter(dir.toString()).withFunctions(functions.toArray(new SessionFunction[0])).export();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ONNX

  /**
   * An ONNX model written field by field (onnx.proto numbers): {@code input [batch, in]} (dynamic
   * "batch") → MatMul(Wᵀ) → Add(b) → {@code embedding [batch, out]} → Relu → {@code relu}. Opset 13.
   */
  public static Path writeOnnx(Path file, Dense d) {
    return writeOnnx(file, d, new long[] {d.in()});
  }

  /**
   * Like {@link #writeOnnx(Path, Dense)} with input {@code [batch, ...itemShape]} (product = in),
   * flattened row-major before the MatMul: e.g. {@code [batch, frames, mels, 1]} for a spectrogram model.
   */
  public static Path writeOnnx(Path file, Dense d, long[] itemShape) {
    long n = 1;
    for (long v : itemShape) {
      n *= v;
    }
    if (n != d.in()) {
      throw new IllegalArgumentException("itemShape " + java.util.Arrays.toString(itemShape) + " holds " + n
          + " values, the layer takes " + d.in());
    }
    boolean flatten = itemShape.length > 1;
    float[][] wt = new float[d.in()][d.out()];
    for (int o = 0; o < d.out(); o++) {
      for (int i = 0; i < d.in(); i++) {
        wt[i][o] = d.weights()[o][i];
      }
    }
    byte[] graph = concat(
        flatten ? field(1, node(new String[] {INPUT}, new String[] {"flat"}, "Flatten")) : new byte[0],
        field(1, node(new String[] {flatten ? "flat" : INPUT, "W"}, new String[] {"xw"}, "MatMul")),
        field(1, node(new String[] {"xw", "B"}, new String[] {EMBEDDING}, "Add")),
        field(1, node(new String[] {EMBEDDING}, new String[] {RELU}, "Relu")),
        stringField(2, "tiny_dense"),
        field(5, initializer("W", new long[] {d.in(), d.out()}, floatBytes(wt))),
        field(5, initializer("B", new long[] {d.out()}, floatBytes(new float[][] {d.bias()}))),
        field(11, valueInfo(INPUT, itemShape)),
        field(12, valueInfo(EMBEDDING, new long[] {d.out()})),
        field(12, valueInfo(RELU, new long[] {d.out()})));
    byte[] opset = concat(stringField(1, ""), varintField(2, 13));
    byte[] model = concat(varintField(1, 7), stringField(2, "humpback-tiny-models"), field(7, graph), field(8, opset));
    return write(file, model);
  }

  private static byte[] node(String[] inputs, String[] outputs, String opType) {
    List<byte[]> parts = new ArrayList<>();
    for (String s : inputs) {
      parts.add(stringField(1, s));
    }
    for (String s : outputs) {
      parts.add(stringField(2, s));
    }
    parts.add(stringField(3, opType.toLowerCase()));
    parts.add(stringField(4, opType));
    return concat(parts.toArray(new byte[0][]));
  }

  private static byte[] initializer(String name, long[] dims, byte[] raw) {
    List<byte[]> parts = new ArrayList<>();
    for (long dim : dims) {
      parts.add(varintField(1, dim));
    }
    parts.add(varintField(2, 1)); // FLOAT
    parts.add(stringField(8, name));
    parts.add(bytesField(9, raw));
    return concat(parts.toArray(new byte[0][]));
  }

  /** A float tensor [batch, ...dims] with a symbolic batch dimension. */
  private static byte[] valueInfo(String name, long[] dims) {
    byte[] shape = field(1, stringField(2, "batch"));
    for (long dim : dims) {
      shape = concat(shape, field(1, varintField(1, dim)));
    }
    byte[] tensorType = concat(varintField(1, 1), field(2, shape));
    byte[] type = field(1, tensorType);
    return concat(stringField(1, name), field(2, type));
  }

  private static byte[] field(int number, byte[] message) {
    return bytesField(number, message);
  }

  private static byte[] bytesField(int number, byte[] bytes) {
    return encode(out -> out.writeByteArray(number, bytes));
  }

  private static byte[] stringField(int number, String s) {
    return encode(out -> out.writeString(number, s));
  }

  private static byte[] varintField(int number, long v) {
    return encode(out -> out.writeInt64(number, v));
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] encode(Writer w) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bos);
      w.write(out);
      out.flush();
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bos.writeBytes(p);
    }
    return bos.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------
  // Broken files

  /** The first {@code keepBytes} bytes of {@code source}: a truncated model. */
  public static Path truncated(Path source, Path file, int keepBytes) {
    try {
      byte[] all = Files.readAllBytes(source);
      return write(file, java.util.Arrays.copyOf(all, Math.min(keepBytes, all.length)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code size} pseudo-random bytes from {@code seed}. */
  public static Path garbage(Path file, int size, long seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return write(file, b);
  }

  private static Path write(Path file, byte[] bytes) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
