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

  /**
   * The values one item of {@code input} takes (all dimensions after the batch; the whole tensor for rank ≤ 1), or -1
   * when a dimension is dynamic: a waveform model's window in samples, which registration turns into seconds.
   */
  public static long valuesPerItem(TensorInfo input) {
    return ModelSupport.itemLength(input.shape());
  }

  /**
   * The rule a worker feeds a model by: each window's features must have exactly as many values as the selected input
   * takes per item (any number when that input's length is dynamic, as a frame-pooled model's is). Returns why a
   * window of {@code values} values cannot be fed, or empty. The encoding worker applies it to every window, and the
   * API to a job's front end before queueing it, so a job that cannot fit is refused where it is made.
   */
  public static java.util.Optional<String> windowMismatch(int values, TensorInfo input) {
    long want = ModelSupport.itemLength(input.shape());
    return want > 0 && values != want
        ? java.util.Optional.of("window has " + values + " values, model input '" + input.name() + "' takes " + want)
        : java.util.Optional.empty();
  }
}
