package org.humpback.transforms.model;

/**
 * Opens a model once to report what it declares: inputs/outputs (names, shapes, dtypes), SavedModel
 * signatures, Flex ops, the inferred input format and the length of the selected output per item.
 * Registration uses this to fill in and check what a user claims about a model.
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
}
