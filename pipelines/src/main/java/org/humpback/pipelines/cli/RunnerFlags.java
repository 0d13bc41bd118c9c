package org.humpback.pipelines.cli;

import java.util.Set;
import java.util.function.Function;
import org.humpback.pipelines.FlinkMaster;
import org.humpback.registry.config.HumpbackSettings;

/**
 * {@code --runner}, {@code --flink-master} and {@code --parallelism}, read alike by {@code encode}, {@code cluster},
 * {@code worker} and {@code demo}; {@code HUMPBACK_RUNNER} and {@code HUMPBACK_FLINK_MASTER} are the defaults.
 *
 * @param flinkMaster {@code [local]} or {@code host:port} (checked by {@link FlinkMaster#parse})
 * @param parallelism {@code null}: the runner's default
 */
public record RunnerFlags(String runner, String flinkMaster, Integer parallelism) {

  /** The options these flags take (each with a value). */
  static final Set<String> NAMES = Set.of("runner", "flink-master", "parallelism");

  static final String USAGE = String.join("\n",
      "  --runner R               direct | flink (default HUMPBACK_RUNNER, else direct)",
      "  --flink-master M         [local] (Flink in this process) | host:port of a Flink cluster's REST endpoint",
      "                           (default HUMPBACK_FLINK_MASTER, else [local])",
      "  --parallelism N          runner parallelism (default: the runner's)");

  /**
   * @param value the value given for a flag name, or {@code null}
   * @throws IllegalArgumentException naming a bad value
   */
  public static RunnerFlags of(Function<String, String> value, HumpbackSettings settings) {
    String runner = value.apply("runner");
    String master = value.apply("flink-master");
    return new RunnerFlags(runner != null ? runner : settings.runner(),
        FlinkMaster.parse(master != null ? master : settings.flinkMaster()),
        CliArgs.integer("parallelism", value.apply("parallelism"), null));
  }

  static RunnerFlags of(CliArgs a, HumpbackSettings settings) {
    return of(a::get, settings);
  }
}
