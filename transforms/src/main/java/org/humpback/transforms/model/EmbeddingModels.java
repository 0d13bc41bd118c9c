package org.humpback.transforms.model;

/** Opens a model with the runtime its {@link ModelConfig#type()} names. */
public final class EmbeddingModels {

  private EmbeddingModels() {}

  /**
   * Opens (loads) the model; with {@link ModelConfig#frameHopSamples()} set, wrapped so that each
   * item is a longer waveform whose frames are embedded and averaged ({@link FramePooledModel}). The caller owns the result and must close it; inside Beam use
   * {@link ModelCache} instead, which shares one load per JVM.
   *
   * @throws ModelException when the file is missing, not a model of that type, or the named
   *     signature/input/output does not exist
   */
  public static EmbeddingModel open(ModelConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("Invalid model config: null");
    }
    try {
      EmbeddingModel m = switch (config.type()) {
        case TFLITE -> new TfLiteModel(config);
        case TF2_SAVED_MODEL -> new SavedModelModel(config);
        case ONNX -> new OnnxModel(config);
      };
      return config.frameHopSamples() > 0
          ? new FramePooledModel(m, config.frameHopSamples(), config.batchSize(), config.path()) : m;
    } catch (ModelException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw ModelException.of(config.path(), "cannot open " + config.type().wireName() + " model", e);
    }
  }
}
