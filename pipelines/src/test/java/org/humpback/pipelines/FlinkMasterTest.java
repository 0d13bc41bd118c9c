package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --flink-master}: [local] or a cluster's host:port, and what a run on a cluster stages. */
class FlinkMasterTest {

  @Test
  void localByDefaultHostPortForAClusterAndABadValueNamed() {
    assertEquals("[local]", FlinkMaster.parse(null));
    assertEquals("[local]", FlinkMaster.parse(" "));
    assertEquals("[local]", FlinkMaster.parse("[local]"));
    assertEquals("127.0.0.1:8081", FlinkMaster.parse(" 127.0.0.1:8081 "));
    assertEquals("jobmanager:8081", FlinkMaster.parse("jobmanager:8081"));
    assertFalse(FlinkMaster.isRemote("[local]"));
    assertTrue(FlinkMaster.isRemote("jobmanager:8081"));
    for (String bad : List.of("jobmanager", "jobmanager:", ":8081", "host:99999", "http://host:8081", "[locl]")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlinkMaster.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("host:port"), e.getMessage());
    }
  }

  @Test
  void aRunOnAClusterIsDetachedAndStagesOnlyHumpbacksCode() {
    EncodingOptions local = EncodingPipeline.options("flink", null, 2, false);
    assertEquals("[local]", local.getFlinkMaster());
    assertTrue(local.getAttachedMode(), "[local]: run() blocks (its mini cluster closes with the job)");
    assertEquals(2, local.getParallelism());
    assertNull(local.getFilesToStage(), "[local] runs in this JVM: nothing to stage");

    EncodingOptions remote = EncodingPipeline.options("flink", "127.0.0.1:8081", 2, false);
    assertEquals("127.0.0.1:8081", remote.getFlinkMaster());
    assertFalse(remote.getAttachedMode(), "detached: run() returns a handle that cancels and reports metrics");
    List<String> staged = remote.getFilesToStage();
    assertEquals(3, staged.size(), staged.toString());
    for (String s : staged) {
      String name = Path.of(s).toString();
      assertTrue(name.contains("transforms") || name.contains("registry") || name.contains("pipelines"), name);
    }
    assertThrows(IllegalArgumentException.class, () -> EncodingPipeline.options("flink", "nohost", 2, false));
  }
}
