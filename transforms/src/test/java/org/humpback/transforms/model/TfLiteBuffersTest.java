package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interpreters of one file share its loaded (and rewritten) flatbuffer. */
class TfLiteBuffersTest {

  private static final Dense DENSE = TinyModels.dense(16, 4, 9);

  @TempDir Path tmp;

  @Test
  void interpretersOfOneFileShareOneFlatbufferUntilTheLastCloses() throws Exception {
    Path f = TinyModels.writeTfLiteHybrid(tmp.resolve("hybrid.tflite"), DENSE);
    ModelConfig config = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(1).withThreads(1);
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = (i - 7) / 8f;
    }
    int before = TfLiteBuffers.loadedCount();
    EmbeddingModel a = EmbeddingModels.open(config);
    EmbeddingModel b = EmbeddingModels.open(config);
    assertEquals(before + 1, TfLiteBuffers.loadedCount(), "one dequantized copy for two interpreters");
    float[] fromA = a.embed(new float[][] {x})[0];
    assertArrayEquals(fromA, b.embed(new float[][] {x})[0], 0f);

    try (EmbeddingModel hybrid = EmbeddingModels.open(config.withHybridKernels(true))) {
      assertEquals(before + 2, TfLiteBuffers.loadedCount(), "another rewrite of the file is another buffer");
      hybrid.embed(new float[][] {x});
    }
    assertEquals(before + 1, TfLiteBuffers.loadedCount());

    a.close();
    assertEquals(before + 1, TfLiteBuffers.loadedCount(), "still used by the other interpreter");
    assertArrayEquals(fromA, b.embed(new float[][] {x})[0], 0f);
    assertThrows(ModelException.class, () -> a.embed(new float[][] {x}));
    b.close();
    assertEquals(before, TfLiteBuffers.loadedCount(), "freed with the last interpreter");
  }

  @Test
  void aReplacedFileIsLoadedAnew() throws Exception {
    Path f = TinyModels.writeTfLite(tmp.resolve("m.tflite"), DENSE, true);
    ModelConfig config = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(1).withThreads(1)
        .withOutputName(TinyModels.EMBEDDING);
    float[] x = new float[16];
    x[3] = 1f;
    int before = TfLiteBuffers.loadedCount();
    try (EmbeddingModel old = EmbeddingModels.open(config)) {
      Dense other = TinyModels.dense(16, 4, 10);
      TinyModels.writeTfLite(f, other, true);
      Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
      try (EmbeddingModel replaced = EmbeddingModels.open(config)) {
        assertEquals(before + 2, TfLiteBuffers.loadedCount(), "the new file is not served from the old one's buffer");
        assertArrayEquals(other.apply(x), replaced.embed(new float[][] {x})[0], 1e-5f);
        assertArrayEquals(DENSE.apply(x), old.embed(new float[][] {x})[0], 1e-5f);
      }
    }
    assertEquals(before, TfLiteBuffers.loadedCount());
  }
}
