package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model with a short fixed input, fed windows longer than it: frames embedded and averaged. */
class FramePooledModelTest {

  private static float[] ramp(int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) Math.sin(i * 0.37) * scale;
    }
    return x;
  }

  @Test
  void eachWindowIsTheMeanOfItsFramesVectors(@TempDir Path dir) {
    Path tflite = TinyModels.writeTfLite(dir.resolve("tiny.tflite"), TinyModels.dense(8, 4, 3), true);
    ModelConfig plain = ModelConfig.of(tflite.toString(), ModelType.TFLITE).withInputFormat(InputFormat.WAVEFORM)
        .withBatchSize(3);
    float[][] windows = {ramp(20, 1f), ramp(21, -0.5f), ramp(5, 2f)};
    try (EmbeddingModel single = EmbeddingModels.open(plain);
        EmbeddingModel pooled = EmbeddingModels.open(plain.withFrameHopSamples(4))) {
      assertEquals(-1, ModelSupport.itemLength(pooled.selectedInput().shape()), "windows of any length");
      float[][] got = pooled.embed(windows);
      assertEquals(3, got.length);
      // 20 and 21 samples: frames start at 0, 4, 8, 12 (a frame must fit); 5 samples: one zero-padded frame.
      int[][] starts = {{0, 4, 8, 12}, {0, 4, 8, 12}, {0}};
      for (int w = 0; w < windows.length; w++) {
        float[] expected = new float[4];
        for (int s : starts[w]) {
          float[] frame = new float[8];
          System.arraycopy(windows[w], s, frame, 0, Math.min(8, windows[w].length - s));
          float[] v = single.embed(new float[][] {frame})[0];
          for (int j = 0; j < 4; j++) {
            expected[j] += v[j] / starts[w].length;
          }
        }
        assertArrayEquals(expected, got[w], 1e-5f, "window " + w);
      }
    }
    assertEquals(4, FramePooledModel.frames(20, 8, 4));
    assertEquals(1, FramePooledModel.frames(8, 8, 4));
    assertEquals(1, FramePooledModel.frames(3, 8, 4));
    // YAMNet in a 5-s window at 16 kHz with YAMNet's own 0.48-s hop: 9 frames.
    assertEquals(9, FramePooledModel.frames(80_000, 15_600, 7_680));
  }

  @Test
  void aSpectrogramModelIsRefusedWithTheSettingNamed(@TempDir Path dir) {
    Path onnx = TinyModels.writeOnnx(dir.resolve("spec.onnx"), TinyModels.dense(12, 3, 1), new long[] {3, 4});
    ModelConfig c = ModelConfig.of(onnx.toString(), ModelType.ONNX).withInputFormat(InputFormat.SPECTROGRAM)
        .withFrameHopSamples(2);
    ModelException e = assertThrows(ModelException.class, () -> EmbeddingModels.open(c));
    assertTrue(e.getMessage().contains("frame_hop_seconds"), e.getMessage());
  }

  @Test
  void theFrameHopIsAFrontEndParameterOnlyInSignaturesThatUseIt() {
    FrontEndConfig plain = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(5).withFeatures(FeatureType.WAVEFORM);
    assertTrue(!plain.toCanonicalJson().contains("frame_hop"), "unset: the canonical JSON (and old signatures) unchanged");
    FrontEndConfig pooled = FrontEndConfig.fromJson("{\"frame_hop_seconds\": 0.48}", plain);
    assertEquals(0.48, pooled.frameHopSeconds());
    assertEquals(7680, pooled.frameHopSamples());
    assertTrue(pooled.toCanonicalJson().contains("\"frame_hop_seconds\":0.48"), pooled.toCanonicalJson());
    assertEquals(pooled, pooled.withWindowSeconds(5.0), "other changes keep it");
    assertEquals(null, FrontEndConfig.fromJson("{\"frame_hop_seconds\": null}", pooled).frameHopSeconds());
    assertEquals(0, plain.frameHopSamples());
    assertThrows(IllegalArgumentException.class, () -> plain.withFrameHopSeconds(0.0));
    assertThrows(IllegalArgumentException.class, () -> plain.withFrameHopSeconds(Double.NaN));
  }
}
