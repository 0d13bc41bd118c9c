package org.humpback.pipelines.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.humpback.pipelines.jobs.Refusal;

/**
 * {@code humpback encode FILE|DIR… [--model NAME] [--window-s S] [--hop-s S] [--last-window pad|overlap-back|drop]
 * [--frame-hop-s S]
 * [--runner direct|flink] [--flink-master [local]|host:port] [--parallelism N] [--batch-size N] [--threads N]}.
 */
public final class EncodeCommand {

  static final String USAGE = """
      usage: humpback encode FILE|DIR... [options]
        --model NAME             registered model (default: the default model)
        --window-s S             window length in seconds (default: the model's)
        --hop-s S                hop between windows in seconds (default: the window)
        --last-window P          pad | overlap-back | drop (default pad)
        --frame-hop-s S          for a waveform model whose input is shorter than the window (YAMNet: 0.975 s):
                                 embed model-input-long frames S seconds apart and average them per window
                                 (e.g. --window-s 5 --frame-hop-s 0.48); default: the window is the input
      %s
        --batch-size N           windows per model call (default 16)
        --threads N              model runtime threads (default: runtime's)
      Imports the files (deduplicated by SHA-256), queues one job per file and runs them here.
      Exit status: 0 all encoded, 1 some failed, 2 usage error.""".formatted(RunnerFlags.USAGE);

  private EncodeCommand() {}

  public static int run(String[] args) {
    CliArgs a;
    try {
      a = CliArgs.parse(args, CliArgs.union(Set.of("model", "window-s", "hop-s", "last-window", "frame-hop-s", "batch-size", "threads"),
          RunnerFlags.NAMES), Set.of("help"));
    } catch (IllegalArgumentException e) {
      System.err.println("humpback encode: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
    if (a.flag("help") || a.positional.isEmpty()) {
      System.err.println(USAGE);
      return a.flag("help") ? 0 : 2;
    }
    try (CliContext ctx = CliContext.open()) {
      RunnerFlags rf = RunnerFlags.of(a, ctx.settings());
      EncodeFlow.Request req = new EncodeFlow.Request(a.positional.stream().map(Path::of).toList(), a.get("model"),
          a.decimal("window-s", null), a.decimal("hop-s", null), a.get("last-window"), a.decimal("frame-hop-s", null), rf.runner(), rf.flinkMaster(),
          rf.parallelism(), a.integer("batch-size", null), a.integer("threads", null));
      List<EncodeFlow.FileLine> lines = EncodeFlow.run(ctx, req, System.out, System.err);
      EncodeFlow.print(lines, System.out);
      return lines.stream().allMatch(l -> l.error() == null) ? 0 : 1;
    } catch (IllegalArgumentException | IllegalStateException | Refusal e) {
      System.err.println("humpback encode: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("humpback encode: " + e);
      return 1;
    }
  }
}
