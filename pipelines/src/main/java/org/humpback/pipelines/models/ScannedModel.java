package org.humpback.pipelines.models;

import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelType;

/**
 * A model found in the models folder.
 *
 * @param filename path relative to the models folder
 * @param path absolute path
 * @param sizeBytes file size, or the total of a SavedModel folder
 * @param registered whether a registered model points at it
 * @param inputFormat from probing; {@code null} when probing failed
 * @param vectorDim from probing; {@code null} when probing failed
 * @param probeError why probing failed, or {@code null}
 */
public record ScannedModel(
    String filename,
    String path,
    long sizeBytes,
    boolean registered,
    ModelType modelType,
    InputFormat inputFormat,
    Integer vectorDim,
    String probeError) {}
