package org.humpback.transforms.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * A TF2 SavedModel folder on TF Java ({@code SavedModelBundle}, tag "serve").
 *
 * <p>The signature is {@code config.signatureName()}; when none is given, {@code serving_default},
 * else the only signature; a model with several and no default is an error that lists them. Inputs
 * and outputs are the signature's keys (e.g. {@code inputs}, {@code embedding}, {@code label}).
 * Waveform inputs may be {@code [batch, samples]} or {@code [batch, samples, 1]}; a whole batch is
 * fed as one tensor and only the selected output is fetched. Outputs are flattened per item.
 *
 * <p>A TF session may be called from several threads, but this class keeps no per-call state
 * anyway beyond the session, so {@link #embed} is safe to call concurrently.
 */
public final class SavedModelModel extends AbstractEmbeddingModel {

  private SavedModelBundle bundle;
  private final List<String> signatures;
  private final String signature;
  private final Map<String, Signature.TensorDescription> inputDescs;
  private final Map<String, Signature.TensorDescription> outputDescs;

  SavedModelModel(ModelConfig config) {
    super(config);
    String path = config.path();
    ModelSupport.requireFile(path, true);
    try {
      bundle = SavedModelBundle.load(path, SavedModelBundle.DEFAULT_TAG);
    } catch (RuntimeException e) {
      throw ModelException.of(path, "cannot load SavedModel (tag 'serve')", e);
    }
    try {
      List<Signature> all = bundle.signatures().stream().filter(s -> !s.key().startsWith("__")).toList();
      signatures = all.stream().map(Signature::key).sorted().toList();
      Signature chosen = chooseSignature(path, all, config.signatureName());
      signature = chosen.key();
      inputDescs = chosen.getInputs();
      outputDescs = chosen.getOutputs();
      inputs = infos(inputDescs);
      outputs = infos(outputDescs);
      selectTensors();
      long declared = ModelSupport.itemLength(selectedOutput.shape());
      if (declared > 0 && selectedOutput.shape().length >= 1 && selectedOutput.shape()[0] < 0) {
        outputDim = (int) declared;
      } else {
        outputDim = measureOutputDim();
      }
    } catch (RuntimeException e) {
      close();
      throw e instanceof ModelException ? e : ModelException.of(path, "cannot read SavedModel signatures", e);
    }
  }

  /** Signature keys of a SavedModel folder, sorted, without loading a runtime for any of them. */
  static List<String> signatureKeys(String path) {
    ModelSupport.requireFile(path, true);
    try (SavedModelBundle b = SavedModelBundle.load(path, SavedModelBundle.DEFAULT_TAG)) {
      return b.signatures().stream().map(Signature::key).filter(k -> !k.startsWith("__")).sorted().toList();
    } catch (RuntimeException e) {
      throw ModelException.of(path, "cannot load SavedModel (tag 'serve')", e);
    }
  }

  private static Signature chooseSignature(String path, List<Signature> all, String wanted) {
    if (all.isEmpty()) {
      throw ModelException.of(path, "SavedModel has no signatures");
    }
    List<String> keys = all.stream().map(Signature::key).sorted().toList();
    if (wanted != null && !wanted.isBlank()) {
      return all.stream().filter(s -> s.key().equals(wanted)).findFirst()
          .orElseThrow(() -> ModelException.of(path, "no signature '" + wanted + "'; the SavedModel has " + keys));
    }
    for (Signature s : all) {
      if (s.key().equals(Signature.DEFAULT_KEY)) {
        return s;
      }
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    throw ModelException.of(path, "no 'serving_default' signature and several others: " + keys
        + "; choose one with signature_name");
  }

  private static List<TensorInfo> infos(Map<String, Signature.TensorDescription> descs) {
    List<TensorInfo> list = new ArrayList<>();
    int i = 0;
    for (String key : descs.keySet().stream().sorted().toList()) {
      Signature.TensorDescription d = descs.get(key);
      long[] shape = d.shape == null || d.shape.isUnknown() ? new long[0] : d.shape.asArray();
      list.add(new TensorInfo(i++, key, shape, dtype(d.dataType)));
    }
    return List.copyOf(list);
  }

  static String dtype(DataType t) {
    return switch (t) {
      case DT_FLOAT -> "float32";
      case DT_HALF -> "float16";
      case DT_DOUBLE -> "float64";
      case DT_INT8 -> "int8";
      case DT_UINT8 -> "uint8";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_STRING -> "string";
      case DT_BOOL -> "bool";
      default -> t.name().toLowerCase().replace("dt_", "");
    };
  }

  /** Runs one zero item to learn the output length when the signature leaves it dynamic. */
  private int measureOutputDim() {
    long len = inputItemLength();
    if (len <= 0) {
      return 0; // unknown until real data arrives; embed() still returns the true length
    }
    return embed(new float[][] {new float[(int) len]})[0].length;
  }

  @Override
  List<String> signatures() {
    return signatures;
  }

  @Override
  String selectedSignature() {
    return signature;
  }

  @Override
  public float[][] embed(float[][] batch) {
    if (bundle == null) {
      throw ModelException.of(config.path(), "model is closed");
    }
    if (!"float32".equals(selectedInput.dtype())) {
      throw ModelException.of(config.path(), "input '" + selectedInput.name() + "' has type "
          + selectedInput.dtype() + "; only float32 inputs are supported");
    }
    int itemLen = ModelSupport.checkItems(config.path(), selectedInput, inputItemLength(), batch);
    if (batch.length == 0) {
      return new float[0][];
    }
    float[][] items = ModelSupport.layout(config, selectedInput, inputFormat, batch);
    int n = items.length;
    float[] flat = new float[n * itemLen];
    for (int i = 0; i < n; i++) {
      System.arraycopy(items[i], 0, flat, i * itemLen, itemLen);
    }
    Shape shape = Shape.of(feedShape(n, itemLen));
    Session session = bundle.session();
    try (TFloat32 input = TFloat32.tensorOf(shape, DataBuffers.of(flat, true, false));
        Result result = session.runner()
            .feed(inputDescs.get(selectedInput.name()).name, input)
            .fetch(outputDescs.get(selectedOutput.name()).name)
            .run()) {
      Tensor t = result.get(0);
      if (!(t instanceof TFloat32 f)) {
        throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' is "
            + t.dataType() + ", expected float32");
      }
      long size = f.shape().size();
      if (size % n != 0) {
        throw ModelException.of(config.path(), "output '" + selectedOutput.name() + "' " + f.shape()
            + " does not split into " + n + " items");
      }
      float[] outFlat = new float[(int) size];
      f.copyTo(DataBuffers.of(outFlat, false, false));
      return split(outFlat, n);
    } catch (ModelException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ModelException.of(config.path(), "running signature '" + signature + "' failed", e);
    }
  }

  /** The signature's input shape with the batch set to {@code n} and one dynamic item dim solved. */
  private long[] feedShape(int n, int itemLen) {
    if (selectedInput.shape().length == 0) {
      return new long[] {n, itemLen};
    }
    return ModelSupport.batchShape(config.path(), selectedInput, n, itemLen);
  }

  @Override
  public synchronized void close() {
    if (bundle != null) {
      bundle.close();
      bundle = null;
    }
  }
}
