package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling a run through {@link PipelineResult#cancel()}. On Flink this works for runs on a cluster (detached;
 * examples/flink-cluster's StandaloneFlinkClusterTest cancels one); a Flink [local] run is attached and gives no
 * handle until it ends (see pipelines/README.md), so it is only discarded once it has ended.
 */
class EncodingCancelTest {

  @Test
  void aCancelledRunStopsBeforeWritingAnything(@TempDir Path dir) throws Exception {
    EncodingSpec spec = EncodingPipelineTest.spec(dir, Map.of());
    EncodingPipeline.Run run = start(dir, spec, "long", 900);
    Thread.sleep(500);
    run.cancel();
    EncodingPipeline.Result r = run.await();
    assertEquals(PipelineResult.State.CANCELLED, r.state());
    assertFalse(r.cancelCameTooLate());
    assertEquals("canceled", r.files().get(0).errorReason());
    assertFalse(Files.exists(spec.parquetPath("long")), "the run stopped before its write step");
    run.discardOutput();
    assertFalse(Files.exists(dir.resolve("run")));
  }

  /** A cancel that reaches a run after its end (as on a remote Flink cluster that just finished) is too late: the result stands. */
  @Test
  void aCancelAfterTheEndIsTooLateAndKeepsTheResult(@TempDir Path dir) throws Exception {
    EncodingSpec spec = EncodingPipelineTest.spec(dir, Map.of());
    EncodingPipeline.Run run = start(dir, spec, "short", 3);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!run.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(run.isDone(), "the run ended");
    run.cancel();
    EncodingPipeline.Result r = run.await();
    assertEquals(PipelineResult.State.DONE, r.state());
    assertTrue(r.cancelCameTooLate(), "the result says the cancel came too late");
    assertTrue(r.files().get(0).isOk(), r.files().toString());
    assertTrue(Files.exists(spec.parquetPath("short")), "the output stands");
  }

  /** Starts a direct run over one chirp of {@code seconds} named {@code id}. */
  private static EncodingPipeline.Run start(Path dir, EncodingSpec spec, String id, int seconds) throws Exception {
    Path wav = Fixtures.chirpWav(dir.resolve(id + ".wav"), seconds, 16000, 7);
    return EncodingPipeline.start(EncodingPipeline.options("direct", null, 2, false), spec,
        List.of(new EncodingPipeline.Input(id, wav.toString(), "0".repeat(64))), dir.resolve("run"));
  }
}
