package org.humpback.transforms.model;

import java.io.Serializable;

/**
 * A window the model could not embed (dead-letter record of {@link Inference}).
 *
 * @param sourceId the source file's id
 * @param index the window's index in its file
 * @param startS window start in seconds
 * @param error why it failed (names the model file)
 */
public record FailedWindow(String sourceId, long index, double startS, String error) implements Serializable {}
