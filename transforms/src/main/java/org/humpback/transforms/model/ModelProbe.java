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
}
