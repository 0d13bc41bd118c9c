package org.humpback.transforms.model;

import java.io.Serializable;
import java.util.List;

/**
 * What probing a model found: what registration shows and checks a user's claims against.
 *
 * @param type the runtime
 * @param signatures SavedModel signature names (empty for TFLite/ONNX)
 * @param selectedSignature the signature used, or {@code null}
 * @param inputs every input of the selected signature
 * @param outputs every output of the selected signature
 * @param selectedInput the input that would be fed
 * @param selectedOutput the output vectors would be read from
 * @param inputFormat spectrogram or waveform, inferred from the input's rank and shape
 * @param vectorDim length of the selected output per batch item
 * @param flexOps Select-TF (Flex) custom ops the model needs; empty when none
 */
public record ModelDescription(
    ModelType type,
    List<String> signatures,
    String selectedSignature,
    List<TensorInfo> inputs,
    List<TensorInfo> outputs,
    TensorInfo selectedInput,
    TensorInfo selectedOutput,
    InputFormat inputFormat,
    int vectorDim,
    List<String> flexOps)
    implements Serializable {}
