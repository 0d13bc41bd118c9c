package org.humpback.pipelines.flink;

import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;

/**
 * Loads Flink's Pekko RPC system from the application class path, ahead of Flink's own loader.
 *
 * <p>Why: Flink's {@code PekkoRpcSystemLoader} extracts the RPC jar it embeds (22 MB) into the temp folder on
 * every mini-cluster start and loads its ~1,400 classes through a private class loader: about a second of
 * every {@code --runner flink --flinkMaster [local]} run, which no class-data archive can cover. The same jar
 * ({@code org.apache.flink:flink-rpc-akka}) is on humpback's class path, so its classes load like any other
 * (and come from the launcher's archive). When it is missing, this loader fails and Flink falls back to its
 * own (the next loader by priority).
 */
public final class AppClassPathRpcSystemLoader implements RpcSystemLoader {

  @Override
  public int getLoadPriority() {
    return -1; // before PekkoRpcSystemLoader (0)
  }

  @Override
  public RpcSystem loadRpcSystem(Configuration config) {
    for (RpcSystem system : ServiceLoader.load(RpcSystem.class, AppClassPathRpcSystemLoader.class.getClassLoader())) {
      return system;
    }
    throw new IllegalStateException("No Flink RPC system (flink-rpc-akka) on the class path");
  }
}
