package org.humpback.examples;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;
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

/**
 * Issue 3: the cost of the {@link EmbeddingModel} layer over a bare TFLite interpreter loop.
 *
 * <p>Runs one TFLite model - YAMNet from {@code ../shared/corpus/models/yamnet/yamnet.tflite} when
 * present, else a written dense 15600→1024 model - on the same random 15600-sample windows, in
 * batches of 1, 8, 32 and 64: once through {@code EmbeddingModels.open(..).embed(batch)} and once
 * through a hand-written loop (copy input, Invoke, copy output) on a second interpreter of the same
 * file with the same thread count. Batches alternate between the two paths and each batch counts
 * with its best of ROUNDS runs (interference from other processes only adds time). Goal: overhead
 * ≤ 5 %. On a loaded machine, long batches are rarely uninterrupted, so the figures for large
 * batches carry a few percent of noise either way.
 *
 * <p>Run: {@code java -cp "examples/target/classes:examples/target/lib/*" org.humpback.examples.ModelRuntimeBenchmark [model.tflite] [threads]}
 */
public final class ModelRuntimeBenchmark {

  private static final int SAMPLES = 15600;
  private static final int[] BATCHES = {1, 8, 32, 64};
  private static final int ROUNDS = 7;

  private ModelRuntimeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = args.length > 0 ? Path.of(args[0]) : defaultModel();
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    System.out.printf(Locale.ROOT, "model %s, %d thread(s), XNNPACK on, best of %d runs per batch, Java %s%n",
        model, threads, ROUNDS, System.getProperty("java.version"));
    // The overhead compares like with like: the bare loop runs the file as TFLite does by default
    // (hybrid int8 kernels for a dynamic-range-quantized model), so the wrapped model does too. The
    // last column is humpback's default for such models: weights dequantized, layers in float.
    System.out.println("batch | windows/round | EmbeddingModel win/s | bare loop win/s | overhead % | dequantized-weights win/s");

    Random r = new Random(1);
    for (int batchSize : BATCHES) {
      int windows = 128;
      float[][][] batches = new float[windows / batchSize][batchSize][SAMPLES];
      for (float[][] b : batches) {
        for (float[] w : b) {
          for (int i = 0; i < SAMPLES; i++) {
            w[i] = (float) (0.1 * r.nextGaussian());
          }
        }
      }
      ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE).withThreads(threads).withBatchSize(batchSize);
      try (EmbeddingModel wrapped = EmbeddingModels.open(config.withHybridKernels(true));
          EmbeddingModel dequantized = EmbeddingModels.open(config);
          Bare bare = new Bare(model, threads, batchSize)) {
        runWrapped(wrapped, batches); // warm-up
        runWrapped(dequantized, batches);
        runBare(bare, batches);
        // Batches alternate between the two paths so that load from other processes hits both alike,
        // and each batch's time is its best of ROUNDS runs: on a shared machine, interference only
        // ever adds time, so the minimum is the estimate of the intrinsic cost.
        double[] bestWrapped = new double[batches.length];
        double[] bestBare = new double[batches.length];
        double[] bestDequantized = new double[batches.length];
        Arrays.fill(bestDequantized, Double.MAX_VALUE);
        Arrays.fill(bestWrapped, Double.MAX_VALUE);
        Arrays.fill(bestBare, Double.MAX_VALUE);
        for (int round = 0; round < ROUNDS; round++) {
          for (int i = 0; i < batches.length; i++) {
            float[][][] one = {batches[i]};
            bestWrapped[i] = Math.min(bestWrapped[i], runWrapped(wrapped, one));
            bestBare[i] = Math.min(bestBare[i], runBare(bare, one));
            bestDequantized[i] = Math.min(bestDequantized[i], runWrapped(dequantized, one));
          }
        }
        double w = Arrays.stream(bestWrapped).sum();
        double b = Arrays.stream(bestBare).sum();
        int n = batches.length * batchSize;
        double f = Arrays.stream(bestDequantized).sum();
        System.out.printf(Locale.ROOT, "%5d | %13d | %20.1f | %15.1f | %+9.2f | %25.1f%n",
            batchSize, n, n / w, n / b, 100 * (w - b) / b, n / f);
      }
    }
  }

  private static double runWrapped(EmbeddingModel m, float[][][] batches) {
    long t0 = System.nanoTime();
    double sink = 0;
    for (float[][] b : batches) {
      float[][] out = m.embed(b);
      sink += out[out.length - 1][0];
    }
    blackhole(sink);
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double runBare(Bare bare, float[][][] batches) {
    long t0 = System.nanoTime();
    double sink = 0;
    for (float[][] b : batches) {
      float[][] out = bare.run(b);
      sink += out[out.length - 1][0];
    }
    blackhole(sink);
    return (System.nanoTime() - t0) / 1e9;
  }

  private static volatile double blackholeValue;

  private static void blackhole(double v) {
    blackholeValue = v;
  }

  /** The baseline: the interpreter driven directly, as a user without humpback would write it. */
  private static final class Bare implements AutoCloseable {
    final FlatBufferModel model;
    final BuiltinOpResolver resolver = new BuiltinOpResolver();
    final Interpreter interpreter = new Interpreter((Pointer) null);
    final int perInvoke;
    final int outLen;

    Bare(Path file, int threads, int batchSize) {
      model = FlatBufferModel.BuildFromFile(file.toString());
      InterpreterBuilder builder = new InterpreterBuilder(model, resolver);
      builder.SetNumThreads(threads);
      if (builder.apply(interpreter) != kTfLiteOk) {
        throw new IllegalStateException("cannot build interpreter for " + file);
      }
      int in = interpreter.inputs().get(0);
      boolean dynamic = interpreter.tensor(in).dims_signature().size() > 0
          && interpreter.tensor(in).dims_signature().data(0) < 0;
      if (dynamic) {
        interpreter.ResizeInputTensor(in, new int[] {batchSize, SAMPLES});
      }
      interpreter.AllocateTensors();
      perInvoke = dynamic ? batchSize : 1;
      int out = interpreter.outputs().get(0);
      long total = 1;
      for (int i = 0; i < interpreter.tensor(out).dims().size(); i++) {
        total *= interpreter.tensor(out).dims().data(i);
      }
      outLen = (int) (total / perInvoke);
    }

    float[][] run(float[][] batch) {
      float[][] out = new float[batch.length][outLen];
      FloatPointer in = interpreter.typed_input_tensor_float(0);
      FloatPointer o = interpreter.typed_output_tensor_float(0);
      for (int from = 0; from < batch.length; from += perInvoke) {
        for (int i = 0; i < perInvoke; i++) {
          in.position((long) i * SAMPLES).put(batch[from + i], 0, SAMPLES);
        }
        interpreter.Invoke();
        for (int i = 0; i < perInvoke; i++) {
          o.position((long) i * outLen).get(out[from + i], 0, outLen);
        }
      }
      return out;
    }

    @Override
    public void close() {
      interpreter.close();
      resolver.close();
      model.close();
    }
  }

  private static Path defaultModel() throws Exception {
    for (String root : new String[] {System.getenv("HUMPBACK_SHARED"), "../shared", "../../shared"}) {
      if (root != null) {
        Path p = Path.of(root, "corpus/models/yamnet/yamnet.tflite");
        if (Files.isRegularFile(p)) {
          return p.toAbsolutePath().normalize();
        }
      }
    }
    Path tmp = Files.createTempFile("dense-15600x1024", ".tflite");
    tmp.toFile().deleteOnExit();
    Files.write(tmp, denseModel(SAMPLES, 1024));
    return tmp;
  }

  /** A float32 FULLY_CONNECTED model [-1, in] → [-1, out] with random weights (no YAMNet at hand). */
  static byte[] denseModel(int in, int out) {
    Random r = new Random(3);
    ByteBuffer w = ByteBuffer.allocate(in * out * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < in * out; i++) {
      w.putFloat((float) (r.nextGaussian() / Math.sqrt(in)));
    }
    BufferT empty = new BufferT();
    empty.setData(new int[0]);
    BufferT weights = new BufferT();
    int[] data = new int[in * out * 4];
    byte[] bytes = w.array();
    for (int i = 0; i < data.length; i++) {
      data[i] = bytes[i] & 0xff;
    }
    weights.setData(data);
    TensorT x = tensor("input", new int[] {1, in}, new int[] {-1, in}, 0);
    TensorT wt = tensor("weights", new int[] {out, in}, null, 1);
    TensorT y = tensor("embedding", new int[] {1, out}, new int[] {-1, out}, 0);
    OperatorCodeT fc = new OperatorCodeT();
    fc.setBuiltinCode(BuiltinOperator.FULLY_CONNECTED);
    fc.setDeprecatedBuiltinCode((byte) BuiltinOperator.FULLY_CONNECTED);
    fc.setVersion(1);
    OperatorT op = new OperatorT();
    op.setOpcodeIndex(0);
    op.setInputs(new int[] {0, 1, -1});
    op.setOutputs(new int[] {2});
    BuiltinOptionsUnion u = new BuiltinOptionsUnion();
    u.setType(BuiltinOptions.FullyConnectedOptions);
    u.setValue(new FullyConnectedOptionsT());
    op.setBuiltinOptions(u);
    SubGraphT g = new SubGraphT();
    g.setTensors(new TensorT[] {x, wt, y});
    g.setInputs(new int[] {0});
    g.setOutputs(new int[] {2});
    g.setOperators(new OperatorT[] {op});
    ModelT m = new ModelT();
    m.setVersion(3);
    m.setOperatorCodes(new OperatorCodeT[] {fc});
    m.setSubgraphs(new SubGraphT[] {g});
    m.setBuffers(new BufferT[] {empty, weights});
    FlatBufferBuilder fbb = new FlatBufferBuilder(in * out * 4 + 4096);
    Model.finishModelBuffer(fbb, Model.pack(fbb, m));
    return fbb.sizedByteArray();
  }

  private static TensorT tensor(String name, int[] shape, int[] signature, int buffer) {
    TensorT t = new TensorT();
    t.setName(name);
    t.setShape(shape);
    if (signature != null) {
      t.setShapeSignature(signature);
    }
    t.setType(TensorType.FLOAT32);
    t.setBuffer(buffer);
    return t;
  }
}
