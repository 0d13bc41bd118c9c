package org.humpback.transforms.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An .onnx model on ONNX Runtime (CPU). Inputs/outputs by graph name; a dynamic batch dimension is
 * fed the whole batch at once, a fixed one item by item. Outputs are flattened per item.
 * ONNX Runtime sessions are thread-safe, so {@link #embed} may be called concurrently.
 */
public final class OnnxModel extends AbstractEmbeddingModel {

  private OrtSession session;
  private OrtSession.SessionOptions options;
  private final OrtEnvironment env;

  OnnxModel(ModelConfig config) {
    super(config);
    String path = config.path();
    ModelSupport.requireFile(path, false);
    env = OrtEnvironment.getEnvironment();
    try {
      options = new OrtSession.SessionOptions();
      if (config.threads() > 0) {
        options.setIntraOpNumThreads(config.threads());
      }
      session = env.createSession(path, options);
      inputs = infos(session.getInputInfo());
      outputs = infos(session.getOutputInfo());
      selectTensors();
      long declared = ModelSupport.itemLength(selectedOutput.shape());
      if (declared > 0) {
        outputDim = (int) declared;
      } else if (inputItemLength() > 0) {
        outputDim = embed(new float[][] {new float[(int) inputItemLength()]})[0].length;
      }
    } catch (OrtException e) {
      close();
      throw ModelException.of(path, "ONNX Runtime cannot load the model", e);
    } catch (RuntimeException e) {
      close();
      throw e instanceof ModelException ? e : ModelException.of(path, "cannot open ONNX model", e);
    }
  }

  private static List<TensorInfo> infos(Map<String, NodeInfo> nodes) {
    List<TensorInfo> list = new ArrayList<>();
    int i = 0;
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof ai.onnxruntime.TensorInfo t) {
        list.add(new TensorInfo(i, node.getName(), t.getShape(), dtype(t)));
      } else {
        list.add(new TensorInfo(i, node.getName(), new long[0], node.getInfo().toString()));
      }
      i++;
    }
    return List.copyOf(list);
  }

  private static String dtype(ai.onnxruntime.TensorInfo t) {
    return switch (t.type) {
      case FLOAT -> "float32";
      case FLOAT16 -> "float16";
      case DOUBLE -> "float64";
      case INT8 -> "int8";
      case UINT8 -> "uint8";
      case INT16 -> "int16";
      case INT32 -> "int32";
      case INT64 -> "int64";
      case BOOL -> "bool";
      case STRING -> "string";
      default -> t.type.name().toLowerCase();
    };
  }

  @Override
  public float[][] embed(float[][] batch) {
    if (session == null) {
      throw ModelException.of(config.path(), "model is closed");
    }
    if (!"float32".equals(selectedInput.dtype())) {
      throw ModelException.of(config.path(), "input '" + selectedInput.name() + "' has type "
          + selectedInput.dtype() + "; only float32 inputs are supported");
    }
    int itemLen = ModelSupport.checkItems(config.path(), selectedInput, inputItemLength(), batch);
    float[][] items = ModelSupport.layout(config, selectedInput, inputFormat, batch);
    long[] s = selectedInput.shape();
    boolean dynamicBatch = s.length >= 2 && s[0] < 0;
    int chunk = dynamicBatch ? Math.max(1, items.length) : (s.length >= 2 ? (int) s[0] : 1);
    float[][] out = new float[items.length][];
    for (int from = 0; from < items.length; from += chunk) {
      int n = Math.min(chunk, items.length - from);
      float[][] part = run(items, from, n, chunk, itemLen, dynamicBatch);
      System.arraycopy(part, 0, out, from, n);
    }
    return out;
  }

  private float[][] run(float[][] items, int from, int n, int chunk, int itemLen, boolean dynamicBatch) {
    int rows = dynamicBatch ? n : chunk;
    FloatBuffer buf = FloatBuffer.allocate(rows * itemLen);
    for (int i = 0; i < n; i++) {
      buf.put(items[from + i], 0, itemLen);
    }
    buf.rewind();
    long[] shape = feedShape(rows, itemLen);
    try (OnnxTensor input = OnnxTensor.createTensor(env, buf, shape);
        OrtSession.Result result = session.run(Map.of(selectedInput.name(), input), Set.of(selectedOutput.name()))) {
      OnnxValue v = result.get(0);
      if (!(v instanceof OnnxTensor t) || t.getInfo().type != ai.onnxruntime.OnnxJavaType.FLOAT) {
        throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' is not a float32 tensor");
      }
      FloatBuffer fb = t.getFloatBuffer();
      float[] flat = new float[fb.remaining()];
      fb.get(flat);
      if (flat.length % rows != 0) {
        throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' "
            + Arrays.toString(t.getInfo().getShape()) + " does not split into " + rows + " items");
      }
      float[][] all = split(flat, rows);
      return Arrays.copyOf(all, n);
    } catch (OrtException e) {
      throw ModelException.of(config.path(), "ONNX Runtime failed on input '" + selectedInput.name()
          + "' shape " + Arrays.toString(shape), e);
    }
  }

  private long[] feedShape(int rows, int itemLen) {
    if (selectedInput.shape().length <= 1) {
      return new long[] {itemLen};
    }
    return ModelSupport.batchShape(config.path(), selectedInput, rows, itemLen);
  }

  @Override
  public synchronized void close() {
    try {
      if (session != null) {
        session.close();
      }
      if (options != null) {
        options.close();
      }
    } catch (OrtException e) {
      throw ModelException.of(config.path(), "closing the ONNX session failed", e);
    } finally {
      session = null;
      options = null;
    }
  }
}
