/**
 * Model runtimes behind one small interface, {@link org.humpback.transforms.model.EmbeddingModel}.
 *
 * <ul>
 *   <li>{@link org.humpback.transforms.model.EmbeddingModels#open} dispatches on
 *       {@link org.humpback.transforms.model.ModelType}: {@link org.humpback.transforms.model.TfLiteModel}
 *       (bytedeco TFLite + XNNPACK, int8/fp16, Flex ops through TF Java's natives),
 *       {@link org.humpback.transforms.model.SavedModelModel} (TF Java SavedModelBundle, signatures)
 *       and {@link org.humpback.transforms.model.OnnxModel} (ONNX Runtime).</li>
 *   <li>{@link org.humpback.transforms.model.ModelProbe#probe} reports what a model declares;
 *       {@link org.humpback.transforms.model.ModelPresets} holds the published specs of known models.
 *       A TFLite model's output may be any tensor its graph computes, not only a declared output
 *       (YAMNet's .tflite keeps its 1024-d embedding as an intermediate tensor);
 *       {@link org.humpback.transforms.model.ModelProbe#embeddingCandidate} finds the usual one.</li>
 *   <li>{@link org.humpback.transforms.model.ModelCache} loads models for DoFns; the Beam entry point
 *       is {@code org.humpback.transforms.beam.HumpbackIO}.</li>
 * </ul>
 *
 * <p>Every failure to open, probe or run a model is a {@link org.humpback.transforms.model.ModelException}
 * whose message starts with the model's path.
 */
package org.humpback.transforms.model;
