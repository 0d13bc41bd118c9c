package org.humpback.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.junit.jupiter.api.Test;

/** Flink's mini cluster gets its RPC system from the class path, not from a jar extracted on every start. */
class AppClassPathRpcSystemLoaderTest {

  @Test
  void flinkLoadsThePekkoRpcSystemFromTheApplicationClassPath() throws Exception {
    RpcSystem system = RpcSystem.load(new Configuration());
    try {
      assertEquals("org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem", system.getClass().getName(),
          "not wrapped by Flink's own loader (CleanupOnCloseRpcSystem around a private class loader)");
      assertSame(AppClassPathRpcSystemLoader.class.getClassLoader(), system.getClass().getClassLoader());
    } finally {
      system.close();
    }
  }
}
