package org.humpback.registry.dao;

import java.time.Instant;

/**
 * The vectors of one audio file under one encoding (a row of {@code embedding_sets}); the rows
 * themselves live in the Parquet file. Unique per (audioFileId, encodingSignature).
 *
 * @param modelVersion the registered model's name
 * @param rowCount number of vectors (windows), when known
 */
public record EmbeddingSet(
    String id,
    String audioFileId,
    String encodingSignature,
    String modelVersion,
    double windowSizeSeconds,
    int targetSampleRate,
    int vectorDim,
    String parquetPath,
    Long rowCount,
    Instant createdAt) {}
