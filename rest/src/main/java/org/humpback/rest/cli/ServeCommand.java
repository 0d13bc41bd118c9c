package org.humpback.rest.cli;

/**
 * {@code ./humpback serve}: the REST API plus, in the same process, a worker draining the processing-job queue and
 * one draining the clustering-job queue — the embedded default, one command for a laptop. Same options as {@code api}.
 */
public final class ServeCommand {

  private ServeCommand() {}

  public static int run(String[] args) {
    return ApiCommand.serve(args, true, "serve");
  }
}
