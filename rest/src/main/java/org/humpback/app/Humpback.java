package org.humpback.app;

import java.util.Arrays;

/** The {@code ./humpback} entry point: dispatches to each module's command. Only wiring lives here. */
public final class Humpback {

  private Humpback() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      printUsage();
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      // Each command lives in the module that owns its concern.
      case "worker" -> { return org.humpback.pipelines.cli.WorkerCommand.run(rest); }
      case "encode" -> { return org.humpback.pipelines.cli.EncodeCommand.run(rest); }
      case "demo" -> { return org.humpback.pipelines.cli.DemoCommand.run(rest); }
      case "features" -> { return org.humpback.transforms.cli.FeaturesCommand.run(rest); }
      case "models" -> { return org.humpback.pipelines.cli.ModelsCommand.run(rest); }
      case "db" -> { return org.humpback.registry.cli.DbCommand.run(rest); }
      case "cluster" -> { return org.humpback.pipelines.cli.ClusterCommand.run(rest); }
      case "api" -> { return org.humpback.rest.cli.ApiCommand.run(rest); }
      case "serve" -> { return org.humpback.rest.cli.ServeCommand.run(rest); }
      default -> {
        System.err.println("humpback: unknown command '" + args[0] + "'");
        printUsage();
        return 2;
      }
    }
  }

  private static void printUsage() {
    System.err.println("""
        usage: ./humpback <command> [options]

        commands:
          demo        import the shipped humpback audio, encode it with the shipped model, cluster, print
          features    write the model-input features of an audio file as .npy (parity checks with Python)
          models      list | scan | add <path> | show <name> | set-default <name> | rm <name>
          db          migrate-to <url>: copy this registry into an empty (PostgreSQL) database and verify it
          encode      import and encode files or folders through the job table
          cluster     cluster embedding sets through the job table
          worker      poll the job table and run jobs
          api         serve the REST API
          serve       serve the REST API and run a worker in the same process (the embedded default)
        """);
  }
}
