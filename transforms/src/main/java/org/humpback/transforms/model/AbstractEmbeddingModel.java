package org.humpback.transforms.model;

import java.util.List;

/**
 * What the runtimes share once open: the declared tensors, the chosen input/output, the input
 * format, and the per-item output length. Subclasses fill these in their constructors.
 */
abstract class AbstractEmbeddingModel implements EmbeddingModel {

  protected final ModelConfig config;
  protected List<TensorInfo> inputs;
  protected List<TensorInfo> outputs;
  protected TensorInfo selectedInput;
  protected TensorInfo selectedOutput;
  protected InputFormat inputFormat;
  protected int outputDim;

  AbstractEmbeddingModel(ModelConfig config) {
    this.config = config;
  }

  /** Chooses input/output from the config and infers the format; call once tensors are known. */
  protected void selectTensors() {
    selectTensors(config.inputName(), config.outputName());
  }

  /** Like {@link #selectTensors()} with the names already translated by the runtime. */
  protected void selectTensors(String inputName, String outputName) {
    selectedInput = ModelSupport.select(config.path(), inputs, inputName, "input");
    selectedOutput = ModelSupport.select(config.path(), outputs, outputName, "output");
    inputFormat = config.inputFormat() != null ? config.inputFormat() : ModelSupport.inferFormat(selectedInput);
  }

  /** Values per item the selected input takes; -1 when the item dims are dynamic. */
  protected long inputItemLength() {
    return ModelSupport.itemLength(selectedInput.shape());
  }

  /** SavedModel signature names; empty for single-graph formats. */
  List<String> signatures() {
    return List.of();
  }

  String selectedSignature() {
    return null;
  }

  List<String> flexOps() {
    return List.of();
  }

  ModelConfig config() {
    return config;
  }

  /** What probing reports about this open model. */
  ModelDescription describe() {
    return new ModelDescription(config.type(), signatures(), selectedSignature(), inputs, outputs,
        selectedInput, selectedOutput, inputFormat, outputDim, flexOps());
  }

  @Override
  public List<TensorInfo> inputs() {
    return inputs;
  }

  @Override
  public List<TensorInfo> outputs() {
    return outputs;
  }

  @Override
  public TensorInfo selectedInput() {
    return selectedInput;
  }

  @Override
  public TensorInfo selectedOutput() {
    return selectedOutput;
  }

  @Override
  public InputFormat inputFormat() {
    return inputFormat;
  }

  @Override
  public int outputDim() {
    return outputDim;
  }

  /** Splits a flat output of {@code n} items into per-item vectors. */
  protected static float[][] split(float[] flat, int n) {
    int dim = flat.length / Math.max(n, 1);
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * dim, out[i], 0, dim);
    }
    return out;
  }
}
