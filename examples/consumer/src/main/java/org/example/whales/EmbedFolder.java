package org.example.whales;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.beam.EmbeddingParquet;
import org.humpback.transforms.beam.EmbeddingParquetIO;
import org.humpback.transforms.beam.EncoderSpec;
import org.humpback.transforms.beam.HumpbackIO;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;

/**
 * Embeds a folder of recordings with YAMNet through humpback's public transforms and sink, on Beam's
 * direct runner: {@code EmbedFolder '<folder>/*.ogg' yamnet.tflite <output folder>}.
 */
public final class EmbedFolder {

  public static void main(String[] args) throws Exception {
    String audio = args[0];
    String model = args[1];
    String out = args[2];
    // YAMNet: 0.975-s windows of the 16-kHz waveform; its 1024-d embedding is an intermediate tensor.
    FrontEndConfig frontEnd = FrontEndConfig.defaults().withSampleRate(16_000).withWindowSeconds(0.975)
        .withFeatures(FeatureType.WAVEFORM);
    EncoderSpec spec = EncoderSpec.of(ModelConfig.of(model, ModelType.TFLITE)
        .withOutputName("yamnet_frames/global_average_pooling2d/Mean").withBatchSize(16), frontEnd);
    EmbeddingParquetIO.Footer footer = new EmbeddingParquetIO.Footer("yamnet", "yamnet", "0".repeat(64),
        frontEnd.toCanonicalJson(), "consumer-1.0");

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple encoded = p
        .apply(FileIO.match().filepattern(audio))
        .apply(FileIO.readMatches())
        .apply(HumpbackIO.encodeFiles(spec));
    encoded.get(HumpbackIO.EMBEDDINGS).apply(EmbeddingParquetIO.write(out).withFooter(footer));
    p.run().waitUntilFinish();

    long rows = 0;
    for (var m : org.apache.beam.sdk.io.FileSystems.match(out + "/yamnet/*/*.parquet").metadata()) {
      EmbeddingParquet.Contents c = EmbeddingParquet.read(m.resourceId().toString());
      System.out.printf("%s: %d vectors of %d values%n", m.resourceId(), c.rows().size(), c.metadata().vectorDim());
      rows += c.rows().size();
      if (c.metadata().vectorDim() != 1024) {
        throw new IllegalStateException("expected 1024-d YAMNet vectors");
      }
    }
    if (rows == 0) {
      throw new IllegalStateException("no embeddings written");
    }
  }
}
