/**
 * The public Beam API of humpback: {@link org.humpback.transforms.beam.HumpbackIO} turns recordings
 * (on any Beam file system) into embedding vectors with one {@link org.humpback.transforms.beam.ShardEncoder}
 * per worker thread, configured by one {@link org.humpback.transforms.beam.EncoderSpec};
 * {@link org.humpback.transforms.beam.EmbeddingParquetIO} writes and reads the embedding files
 * ({@link org.humpback.transforms.beam.EmbeddingParquet}); every window that is not embedded or
 * written leaves one {@link org.humpback.transforms.beam.EncodingFailure} on a dead-letter output.
 * Metrics are in the namespace {@value org.humpback.transforms.beam.HumpbackIO#METRICS_NAMESPACE}.
 */
package org.humpback.transforms.beam;
