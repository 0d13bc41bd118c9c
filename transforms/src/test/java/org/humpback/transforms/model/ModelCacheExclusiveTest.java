package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelCache#acquireExclusive}: a runtime per handle, never shared, closed with its handle. */
class ModelCacheExclusiveTest {

  private static final Dense DENSE = TinyModels.dense(16, 4, 5);

  @TempDir Path tmp;

  @Test
  void eachExclusiveHandleLoadsItsOwnModelAndClosingOneLeavesTheOtherWorking() throws Exception {
    Path f = TinyModels.writeTfLite(tmp.resolve("own.tflite"), DENSE, true);
    ModelConfig config = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(2).withThreads(1);
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = (i - 8) / 8f;
    }
    int before = ModelCache.loadCount();
    ModelCache.Handle a = ModelCache.acquireExclusive(config);
    ModelCache.Handle b = ModelCache.acquireExclusive(config);
    assertEquals(before + 2, ModelCache.loadCount(), "two exclusive handles, two loads");
    assertEquals(0, ModelCache.openModels(), "exclusive models are not in the shared table");
    a.close();
    assertThrows(ModelException.class, () -> a.embed(new float[][] {x}));
    assertArrayEquals(DENSE.apply(x), b.embed(new float[][] {x, x})[1], 1e-4f);
    b.close();
    // A shared handle for the same config is still a load of its own.
    try (ModelCache.Handle s = ModelCache.acquire(config)) {
      assertEquals(4, s.outputDim());
    }
    assertEquals(before + 3, ModelCache.loadCount());
  }

  @Test
  void aMissingModelFailsWithATypedError() {
    assertThrows(ModelException.class,
        () -> ModelCache.acquireExclusive(ModelConfig.of(tmp.resolve("nope.tflite").toString(), ModelType.TFLITE)));
    assertThrows(IllegalArgumentException.class, () -> ModelCache.acquireExclusive(null));
  }
}
