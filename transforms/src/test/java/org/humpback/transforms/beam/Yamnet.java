package org.humpback.transforms.beam;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;

/** The shipped YAMNet (models/) as the product feeds it, and the shipped demo audio (examples/audio). */
final class Yamnet {

  static final Path MODEL = Path.of("../models/yamnet/yamnet.tflite").toAbsolutePath().normalize();
  static final Path AUDIO = Path.of("../examples/audio").toAbsolutePath().normalize();

  /** 0.975-s waveform windows at 16 kHz, YAMNet's input. */
  static final FrontEndConfig FRONT_END = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(0.975)
      .withFeatures(FeatureType.WAVEFORM);

  private Yamnet() {}

  static ModelConfig model() {
    assumeTrue(Files.exists(MODEL), "the shipped model is missing: " + MODEL);
    return ModelConfig.of(MODEL.toString(), ModelType.TFLITE)
        .withOutputName("yamnet_frames/global_average_pooling2d/Mean").withBatchSize(16).withThreads(1);
  }

  static EncoderSpec spec() {
    return EncoderSpec.of(model(), FRONT_END);
  }

  static List<Path> audio() throws java.io.IOException {
    assumeTrue(Files.isDirectory(AUDIO), "the shipped audio is missing: " + AUDIO);
    try (var s = Files.list(AUDIO)) {
      return s.filter(p -> p.toString().endsWith(".ogg")).sorted().toList();
    }
  }

  static EmbeddingParquetIO.Footer footer() {
    return new EmbeddingParquetIO.Footer("yamnet", "yamnet", "a".repeat(64), FRONT_END.toCanonicalJson(), "test");
  }
}
