package org.humpback.rest.cli;

import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.humpback.pipelines.JobRunner;
import org.humpback.pipelines.Worker;
import org.humpback.pipelines.cluster.ClusteringJobRunner;
import org.humpback.pipelines.cluster.ClusteringWorker;
import org.humpback.registry.config.HumpbackSettings;
import org.humpback.registry.db.Database;
import org.humpback.pipelines.models.ModelRegistry;
import org.humpback.registry.queue.JobQueue;
import org.humpback.rest.RestOptions;
import org.humpback.rest.RestServer;
import org.humpback.pipelines.jobs.AudioProbe;

/**
 * {@code ./humpback api}: migrates the database, seeds the default model on first start, and serves the REST API on
 * {@code HUMPBACK_HOST:HUMPBACK_PORT} until interrupted. {@code --host H} and {@code --port N} override the variables.
 */
public final class ApiCommand {

  /** Database connections: the API's request threads share them with an in-process worker. */
  static final int POOL_SIZE = 8;

  private ApiCommand() {}

  public static int run(String[] args) {
    return serve(args, false, "api");
  }

  /** What {@code api} and {@code serve} start; {@link #close} stops the worker, then the server, then the database. */
  record Running(Database db, WebServer server, List<Runnable> stoppers, List<Thread> workerThreads)
      implements AutoCloseable {
    @Override
    public void close() {
      stoppers.forEach(Runnable::run);
      for (Thread t : workerThreads) {
        try {
          t.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      server.stop();
      db.close();
    }
  }

  static int serve(String[] args, boolean withWorker, String command) {
    return serve(args, withWorker, command, System.getenv(), java.nio.file.Path.of("").toAbsolutePath());
  }

  /** {@link #serve(String[], boolean, String)} with the variables of {@code env}. */
  static int serve(String[] args, boolean withWorker, String command, java.util.Map<String, String> env,
      java.nio.file.Path workingDir) {
    HumpbackSettings settings;
    try {
      requireUsableToken(env);
      settings = HumpbackSettings.fromEnv(env, workingDir);
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> settings = withHost(settings, value(args, ++i, "--host"));
          case "--port" -> settings = withPort(settings, Integer.parseInt(value(args, ++i, "--port")));
          case "-h", "--help" -> {
            System.out.println("usage: ./humpback " + command + " [--host H] [--port N]   (HUMPBACK_* variables "
                + "configure the rest)");
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("humpback " + command + ": " + e.getMessage());
      return 2;
    }
    Running running;
    try {
      running = start(settings, withWorker);
    } catch (RuntimeException e) {
      System.err.println("humpback " + command + ": cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "humpback-shutdown"));
    System.out.println("humpback " + command + ": serving http://" + settings.host() + ":" + running.server().port()
        + " (docs at /docs" + (withWorker ? ", worker running in process" : "") + ")");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * A {@code HUMPBACK_API_TOKEN} that is set but blank is a mistake (a quoting slip in a unit file, an empty secret),
   * not a wish to run without authentication: refusing to start says so, where treating it as unset would serve the
   * API to anyone without a word.
   */
  static void requireUsableToken(java.util.Map<String, String> env) {
    String token = env.get("HUMPBACK_API_TOKEN");
    if (token != null && token.isBlank()) {
      throw new IllegalArgumentException("HUMPBACK_API_TOKEN is set but blank; set a token, or unset the variable to "
          + "serve without authentication");
    }
  }

  /** Opens and migrates the database, seeds the default model, starts the server (and a worker when asked). */
  static Running start(HumpbackSettings settings, boolean withWorker) {
    Database db = Database.open(settings.databaseUrl(), settings.databaseBaseDir(), POOL_SIZE,
        Database.DEFAULT_BUSY_TIMEOUT);
    try {
      ModelRegistry models = ModelRegistry.create(db, settings);
      models.seedDefaultIfEmpty(settings.modelPath());
      WebServer server = RestServer.start(db, models, RestOptions.from(settings), AudioProbe.FFMPEG);
      List<Runnable> stoppers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      if (withWorker) {
        String workerId = "serve-" + ProcessHandle.current().pid();
        Worker encoder = encodingWorker(db, settings, workerId);
        ClusteringWorker clusterer = clusteringWorker(db, settings, workerId + "-clustering");
        stoppers.add(encoder::stop);
        stoppers.add(clusterer::stop);
        threads.add(Thread.ofPlatform().name("humpback-worker").start(encoder));
        threads.add(Thread.ofPlatform().name("humpback-clustering-worker").start(clusterer));
      }
      return new Running(db, server, stoppers, threads);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  static Worker encodingWorker(Database db, HumpbackSettings settings, String workerId) {
    JobRunner.Settings runnerSettings = JobRunner.Settings.defaults(workerId)
        .withRunner(settings.runner(), settings.flinkMaster(), null);
    JobRunner runner = new JobRunner(db, settings.home(), settings.storageRoot(), runnerSettings, null);
    return new Worker(runner, JobQueue.processing(db.jdbi()), Duration.ofSeconds(1),
        runnerSettings.heartbeatInterval().multipliedBy(6), false);
  }

  static ClusteringWorker clusteringWorker(Database db, HumpbackSettings settings, String workerId) {
    JobRunner.Settings runnerSettings = JobRunner.Settings.defaults(workerId)
        .withRunner(settings.runner(), settings.flinkMaster(), null);
    return new ClusteringWorker(new ClusteringJobRunner(db, settings.storageRoot(), runnerSettings), workerId,
        Duration.ofSeconds(1), runnerSettings.heartbeatInterval().multipliedBy(6), false);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static HumpbackSettings withHost(HumpbackSettings s, String host) {
    return new HumpbackSettings(s.home(), s.databaseUrl(), s.storageRoot(), s.modelsDir(), s.windowSizeSeconds(),
        s.targetSampleRate(), s.vectorDim(), s.modelPath(), host, s.port(), s.apiToken(), s.runner(), s.flinkMaster(),
        s.maxUploadMb(), s.allowedModelRoots());
  }

  private static HumpbackSettings withPort(HumpbackSettings s, int port) {
    return new HumpbackSettings(s.home(), s.databaseUrl(), s.storageRoot(), s.modelsDir(), s.windowSizeSeconds(),
        s.targetSampleRate(), s.vectorDim(), s.modelPath(), s.host(), port, s.apiToken(), s.runner(), s.flinkMaster(),
        s.maxUploadMb(), s.allowedModelRoots());
  }
}
