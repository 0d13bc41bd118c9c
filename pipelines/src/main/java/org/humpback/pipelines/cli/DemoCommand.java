package org.humpback.pipelines.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.humpback.pipelines.jobs.Refusal;

/**
 * {@code humpback demo [AUDIO…]}: the embedded default end to end. SQLite and storage under
 * {@code ./data} (HUMPBACK_HOME), the shipped model from {@code models/} (registered as the default
 * on first use, or HUMPBACK_MODEL_PATH), and the public-domain humpback recordings shipped in
 * {@code examples/audio/} (or the files/folders given): import, encode, print files, windows,
 * dimensions and Parquet paths; then cluster what was encoded and print the cluster sizes.
 */
public final class DemoCommand {

  private DemoCommand() {}

  public static int run(String[] args) {
    CliArgs a;
    try {
      a = CliArgs.parse(args, RunnerFlags.NAMES, Set.of("help"));
    } catch (IllegalArgumentException e) {
      System.err.println("humpback demo: " + e.getMessage());
      return 2;
    }
    if (a.flag("help")) {
      System.err.println("usage: humpback demo [AUDIO_FILE|DIR...] [options]\n" + RunnerFlags.USAGE);
      return 0;
    }
    try (CliContext ctx = CliContext.open()) {
      RunnerFlags rf = RunnerFlags.of(a, ctx.settings());
      List<Path> inputs = a.positional.isEmpty()
          ? List.of(ctx.settings().home().resolve("examples/audio"))
          : a.positional.stream().map(Path::of).toList();
      for (Path p : inputs) {
        if (!Files.exists(p)) {
          System.err.println("humpback demo: no audio at " + p + " (give audio files or folders as arguments)");
          return 2;
        }
      }
      System.out.println("humpback demo: home " + ctx.settings().home() + ", database " + ctx.settings().databaseUrl());
      EncodeFlow.Request req = new EncodeFlow.Request(inputs, null, null, null, null, null, rf.runner(), rf.flinkMaster(),
          rf.parallelism(), null, null);
      List<EncodeFlow.FileLine> lines = EncodeFlow.run(ctx, req, System.out, System.err);
      if (lines.isEmpty()) {
        System.err.println("humpback demo: no audio files found in " + inputs);
        return 2;
      }
      EncodeFlow.print(lines, System.out);
      int clustered = ClusterCommand.clusterEncoded(ctx.db(), ctx.settings(),
          lines.stream().map(EncodeFlow.FileLine::parquetPath).toList(), rf, System.out, System.err);
      return lines.stream().allMatch(l -> l.error() == null) && clustered == 0 ? 0 : 1;
    } catch (IllegalArgumentException | IllegalStateException | Refusal e) {
      System.err.println("humpback demo: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("humpback demo: " + e);
      return 1;
    }
  }
}
