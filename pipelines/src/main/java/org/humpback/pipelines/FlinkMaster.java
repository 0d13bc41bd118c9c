package org.humpback.pipelines;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.transforms.beam.HumpbackIO;

/**
 * The Flink master a run goes to ({@code --flink-master}, {@code HUMPBACK_FLINK_MASTER}): {@code [local]} (Beam's
 * in-JVM cluster, one per run) or the {@code host:port} of a Flink session cluster's REST endpoint.
 *
 * <p>A run on a cluster stages only humpback's own code ({@link #jobJars()}, under a megabyte): the job's jars,
 * humpback's with Beam and the native libraries, are in the cluster's {@code lib/} ({@code examples/flink-cluster}),
 * loaded parent-first (Beam's coders there deserialize humpback's records), so no run uploads the application's
 * few hundred megabytes of jars and the natives load once per TaskManager. Beam's runner stages the whole class
 * path when given no files, hence the small explicit list.
 */
public final class FlinkMaster {

  /** Beam's in-process cluster. */
  public static final String LOCAL = "[local]";

  private FlinkMaster() {}

  /**
   * The master to use: {@code [local]} for null or blank, {@code [local]}/{@code [auto]} as given, else
   * {@code host:port}.
   *
   * @throws IllegalArgumentException naming the value when it is none of these
   */
  public static String parse(String value) {
    if (value == null || value.isBlank()) {
      return LOCAL;
    }
    String v = value.trim();
    if (v.equals(LOCAL) || v.equals("[auto]")) {
      return v;
    }
    int colon = v.lastIndexOf(':');
    String host = colon > 0 ? v.substring(0, colon) : "";
    String port = colon > 0 ? v.substring(colon + 1) : "";
    if (host.isBlank() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
        || host.contains("/")) {
      throw new IllegalArgumentException("Invalid Flink master: '" + value
          + "' (expected [local] or the host:port of a Flink cluster's REST endpoint, e.g. 127.0.0.1:8081)");
    }
    return v;
  }

  /** Whether runs go to a cluster outside this JVM. */
  public static boolean isRemote(String master) {
    return !(master.equals(LOCAL) || master.equals("[auto]") || master.equals("[collection]"));
  }

  /**
   * What a run stages to a cluster: the jars (or, in a build tree, class folders, which Beam zips) holding
   * humpback's transforms, registry and pipelines classes.
   */
  public static List<String> jobJars() {
    List<String> out = new ArrayList<>();
    for (Class<?> c : List.of(HumpbackIO.class, HumpbackSettings.class, FlinkMaster.class)) {
      try {
        String p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        if (!out.contains(p)) {
          out.add(p);
        }
      } catch (URISyntaxException | RuntimeException e) {
        throw new IllegalStateException("Cannot locate the jar of " + c.getName() + " to stage it: " + e, e);
      }
    }
    return out;
  }
}
