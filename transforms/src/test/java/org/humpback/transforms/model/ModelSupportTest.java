package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSupportTest {

  @TempDir Path tmp;

  private static TensorInfo t(long... shape) {
    return new TensorInfo(0, "x", shape, "float32");
  }

  @Test
  void inputFormatFromRankAndShape() {
    assertEquals(InputFormat.WAVEFORM, ModelSupport.inferFormat(t(15600)));
    assertEquals(InputFormat.WAVEFORM, ModelSupport.inferFormat(t(-1, 160000)));
    assertEquals(InputFormat.WAVEFORM, ModelSupport.inferFormat(t(-1, 39124, 1)));
    assertEquals(InputFormat.SPECTROGRAM, ModelSupport.inferFormat(t(1, 257, 256, 1)));
    assertEquals(InputFormat.SPECTROGRAM, ModelSupport.inferFormat(t(-1, 96, 64)));
    assertEquals(InputFormat.SPECTROGRAM, ModelSupport.inferFormat(t(-1, -1, 128)));
    assertEquals(InputFormat.WAVEFORM, ModelSupport.inferFormat(t(-1, 4, 2)));
  }

  @Test
  void transposeTurnsMelsByFramesIntoFramesByMels() {
    // Model wants [frames=3][mels=2] (+ channel); the front end gives [mels=2][frames=3].
    float[] melsByFrames = {1, 2, 3, 4, 5, 6};
    float[] framesByMels = ModelSupport.transpose("m", t(-1, 3, 2, 1), melsByFrames);
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, framesByMels);
    ModelException e = assertThrows(ModelException.class, () -> ModelSupport.transpose("m", t(-1, 6), melsByFrames));
    assertTrue(e.getMessage().contains("transpose_spectrogram"), e.getMessage());
  }

  @Test
  void spectrogramModelFedTransposedThroughOnnx() {
    int mels = 8;
    int frames = 10;
    Dense d = TinyModels.dense(mels * frames, 5, 9);
    // The model's input is [batch, frames, mels, 1].
    Path f = TinyModels.writeOnnx(tmp.resolve("spec.onnx"), d, new long[] {frames, mels, 1});
    ModelConfig c = ModelConfig.of(f.toString(), ModelType.ONNX).withOutputName("embedding").withTransposeSpectrogram(true);
    ModelDescription desc = ModelProbe.probe(c);
    assertEquals(InputFormat.SPECTROGRAM, desc.inputFormat());
    assertArrayEquals(new long[] {-1, frames, mels, 1}, desc.selectedInput().shape());
    float[] melsByFrames = new float[mels * frames];
    for (int i = 0; i < melsByFrames.length; i++) {
      melsByFrames[i] = (float) Math.cos(i * 0.37);
    }
    float[] framesByMels = new float[mels * frames];
    for (int m = 0; m < mels; m++) {
      for (int fr = 0; fr < frames; fr++) {
        framesByMels[fr * mels + m] = melsByFrames[m * frames + fr];
      }
    }
    try (EmbeddingModel model = EmbeddingModels.open(c)) {
      assertArrayEquals(d.apply(framesByMels), model.embed(new float[][] {melsByFrames})[0], 1e-4f);
    }
    try (EmbeddingModel model = EmbeddingModels.open(c.withTransposeSpectrogram(false))) {
      assertArrayEquals(d.apply(melsByFrames), model.embed(new float[][] {melsByFrames})[0], 1e-4f);
    }
  }
}
