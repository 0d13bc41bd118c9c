package org.humpback.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.humpback.pipelines.EncodingOptions;
import org.humpback.pipelines.EncodingPipeline;
import org.junit.jupiter.api.Test;

/**
 * {@code --runner flink --flink-master [local]} runs on one mini cluster per JVM ({@code [auto]} → the
 * context environment), so a worker does not start and stop a cluster for every job. Runs on it are
 * covered by the Flink cases of EncodingPipelineTest and WriteEmbeddingsTest.
 */
class SharedMiniClusterTest {

  @Test
  void localFlinkRunsGoToTheSharedClusterAndOtherMastersAreLeftAlone() {
    EncodingOptions local = EncodingPipeline.options("flink", "[local]", 2, false);
    assertEquals("[auto]", local.getFlinkMaster());
    assertEquals(2, local.getParallelism());
    EncodingOptions byDefault = EncodingPipeline.options("flink", null, null, false);
    assertEquals("[auto]", byDefault.getFlinkMaster());
    assertEquals(Runtime.getRuntime().availableProcessors(), byDefault.getParallelism(), "[local]'s default parallelism");
    assertEquals("jobmanager:8081", EncodingPipeline.options("flink", "jobmanager:8081", 2, false).getFlinkMaster());

    System.setProperty(EncodingPipeline.PER_RUN_FLINK_CLUSTER, "true");
    try {
      assertEquals("[local]", EncodingPipeline.options("flink", "[local]", 2, false).getFlinkMaster());
    } finally {
      System.clearProperty(EncodingPipeline.PER_RUN_FLINK_CLUSTER);
    }

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMiniCluster.install(10_000));
    assertTrue(e.getMessage().contains("task slots"), e.getMessage());
  }

  @Test
  void preparingALocalFlinkRunnerStartsTheClusterBeforeTheFirstJob() {
    EncodingPipeline.prepareRunner("direct", null, null); // no cluster: only the in-JVM warm-up
    EncodingPipeline.prepareRunner("flink", "jobmanager:8081", 2); // a remote cluster is not ours to start
    EncodingPipeline.prepareRunner("flink", "[local]", 2);
    assertTrue(SharedMiniCluster.isInstalled());
    // A worker asking for more slots than the JVM's cluster has learns it at start, not at its first job.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EncodingPipeline.prepareRunner("flink", "[local]", 10_000));
    assertTrue(e.getMessage().contains("task slots"), e.getMessage());
  }
}
