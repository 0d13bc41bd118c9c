package org.humpback.transforms.model;

/**
 * Opens a model once to report what it declares: inputs/outputs (names, shapes, dtypes), SavedModel
 * signatures, Flex ops, the inferred input format and the length of the selected output per item.
 * Registration uses this to fill in and check what a user claims about a model.
 *
 * <p>For TFLite models {@code outputName} may name an intermediate tensor too (see {@link TfLiteModel});
 * {@link #intermediateTensors} lists those and {@link #embeddingCandidate} points at the usual
 * embedding of a classifier, the input of its last FULLY_CONNECTED layer.
 */
public final class ModelProbe {

  private ModelProbe() {}

  /**
   * Probes the model the config points at, honouring its signature/input/output choices.
   *
   * @throws ModelException when the model cannot be opened or a named tensor/signature is missing;
   *     the message names the file and lists what the model has
   */
  public static ModelDescription probe(ModelConfig config) throws ModelException {
    try (EmbeddingModel model = EmbeddingModels.open(config)) {
      return ((AbstractEmbeddingModel) model).describe();
    }
  }

  /**
   * The signature names of a SavedModel folder (sorted; internal "__" ones left out), without
   * choosing one: lets a caller offer the choice when {@link #probe} reports that a model has
   * several and no {@code serving_default}. TFLite and ONNX models have none (empty list).
   *
   * @throws ModelException when the folder is not a loadable SavedModel
   */
  public static java.util.List<String> signatures(String path, ModelType type) throws ModelException {
    if (type != ModelType.TF2_SAVED_MODEL) {
      return java.util.List.of();
    }
    return SavedModelModel.signatureKeys(path);
  }

  /**
   * The tensors of a TFLite model's main graph that an operator computes but that are not graph
   * outputs: each can be given as {@code outputName}. {@link TensorInfo#index()} is the tensor's
   * index in the graph. Read from the file alone, without building an interpreter. Empty for
   * SavedModel and ONNX models, whose outputs are what their signature or graph declares.
   *
   * @throws ModelException when the file is not a readable TFLite flatbuffer
   */
  public static java.util.List<TensorInfo> intermediateTensors(String path, ModelType type) throws ModelException {
    if (type != ModelType.TFLITE) {
      return java.util.List.of();
    }
    ModelSupport.requireFile(path, false);
    return TfLiteFlatbuffer.read(path).graph().intermediates().stream().map(t -> t.info(t.index())).toList();
  }

  /**
   * The tensor a classifier's embedding usually is: the rank-2 {@code [batch, N]} float32 tensor
   * feeding the last FULLY_CONNECTED (the logits layer), when the graph computes it and does not
   * already output it. For Google's YAMNet .tflite this is
   * {@code yamnet_frames/global_average_pooling2d/Mean} {@code [1, 1024]}. Empty when there is no
   * such tensor, and for SavedModel and ONNX models.
   *
   * @throws ModelException when the file is not a readable TFLite flatbuffer
   */
  public static java.util.Optional<TensorInfo> embeddingCandidate(String path, ModelType type) throws ModelException {
    if (type != ModelType.TFLITE) {
      return java.util.Optional.empty();
    }
    ModelSupport.requireFile(path, false);
    return TfLiteFlatbuffer.read(path).graph().embeddingCandidate().map(t -> t.info(t.index()));
  }
}
