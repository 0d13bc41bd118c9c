package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.humpback.transforms.testing.TinyModels;
import org.humpback.transforms.testing.TinyModels.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {

  private static final Dense DENSE = TinyModels.dense(16, 4, 5);

  @TempDir Path tmp;

  @Test
  void handlesStartedTogetherShareOneLoadAndEmbedSafelyFromManyThreads() throws Exception {
    Path f = TinyModels.writeTfLite(tmp.resolve("shared.tflite"), DENSE, true);
    ModelConfig config = ModelConfig.of(f.toString(), ModelType.TFLITE).withBatchSize(3);
    int before = ModelCache.loadCount();
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<float[]>> results = new ArrayList<>();
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i / 16f;
    }
    List<ModelCache.Handle> handles = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        start.await();
        ModelCache.Handle h = ModelCache.acquire(config);
        handles.add(h);
        float[] last = null;
        for (int k = 0; k < 50; k++) {
          last = h.embed(new float[][] {x, x})[1];
        }
        return last;
      }));
    }
    start.countDown();
    for (Future<float[]> r : results) {
      assertArrayEquals(DENSE.apply(x), r.get(), 1e-4f);
    }
    pool.shutdown();
    assertEquals(before + 1, ModelCache.loadCount());
    for (ModelCache.Handle h : handles) {
      h.close();
    }
    assertEquals(0, ModelCache.openModels());
    // After the last handle closed, the next acquire loads again.
    try (ModelCache.Handle h = ModelCache.acquire(config)) {
      assertEquals(4, h.outputDim());
    }
    assertEquals(before + 2, ModelCache.loadCount());
  }

  @Test
  void aFailedLoadIsNotCached() {
    ModelConfig missing = ModelConfig.of(tmp.resolve("nope.tflite").toString(), ModelType.TFLITE);
    assertThrows(ModelException.class, () -> ModelCache.acquire(missing));
    assertThrows(ModelException.class, () -> ModelCache.acquire(missing));
    assertEquals(0, ModelCache.openModels());
  }
}
