package org.humpback.pipelines.flink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.client.program.ContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Flink mini cluster for the whole JVM, for {@code --runner flink --flink-master [local]}.
 *
 * <p>Why: Beam's {@code [local]} starts a mini cluster for every run and stops it at the end (about 1.5 s and
 * 0.5 s on two cores), which a worker pays for every job. {@link #install} starts one cluster in the
 * background (so it starts while the pipeline is being built) and makes it Flink's context environment;
 * pipelines then run with {@code --flinkMaster=[auto]} and are submitted to it. It stops when the JVM exits.
 * Jobs on it behave as on Beam's own local cluster: same runtime, classes from the application class path.
 */
public final class SharedMiniCluster {

  private static final Logger LOG = LoggerFactory.getLogger(SharedMiniCluster.class);
  private static final String EXECUTOR = "humpback-shared-mini-cluster";

  private static CompletableFuture<MiniCluster> cluster;
  private static int slots;

  private SharedMiniCluster() {}

  /**
   * Starts the JVM's mini cluster (in the background, the first time) with at least {@code parallelism}
   * task slots, and makes it the context environment {@code [auto]} resolves to.
   *
   * @throws IllegalArgumentException when a later run needs more slots than the running cluster has
   */
  public static synchronized void install(int parallelism) {
    if (cluster != null) {
      if (parallelism > slots) {
        throw new IllegalArgumentException("Invalid parallelism: " + parallelism + " (this JVM's Flink mini cluster has "
            + slots + " task slots; the first Flink run of a process sets them)");
      }
      return;
    }
    slots = Math.max(parallelism, Math.max(4, Runtime.getRuntime().availableProcessors()));
    Configuration conf = new Configuration();
    conf.set(DeploymentOptions.TARGET, EXECUTOR);
    conf.set(DeploymentOptions.ATTACHED, true);
    // As Beam's [local]: jobs come and go on one cluster, so Flink's leaked-class-loader check only misfires.
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    MiniClusterConfiguration config = new MiniClusterConfiguration.Builder()
        .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build();
    cluster = CompletableFuture.supplyAsync(() -> {
      MiniCluster c = new MiniCluster(config);
      try {
        c.start();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot start the Flink mini cluster: " + e.getMessage(), e);
      }
      return c;
    });
    Thread stop = new Thread(() -> cluster.thenAccept(c -> c.closeAsync().join()), "flink-mini-cluster-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    ContextEnvironment.setAsContext(new Executors(), conf, SharedMiniCluster.class.getClassLoader(), false, true);
  }

  /** Whether this JVM's mini cluster has been started (it may still be coming up). */
  static synchronized boolean isInstalled() {
    return cluster != null;
  }

  private static MiniCluster started() throws Exception {
    try {
      return cluster.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** Submits a job to the shared cluster; the job's result is awaited by the caller (attached mode). */
  private static final class Executors implements PipelineExecutorServiceLoader, PipelineExecutorFactory, PipelineExecutor {
    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
      return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of(EXECUTOR);
    }

    @Override
    public String getName() {
      return EXECUTOR;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
      return EXECUTOR.equals(configuration.get(DeploymentOptions.TARGET));
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
      return this;
    }

    @Override
    public CompletableFuture<JobClient> execute(Pipeline pipeline, Configuration configuration, ClassLoader classLoader)
        throws Exception {
      MiniCluster c = started();
      JobGraph job = PipelineExecutorUtils.getJobGraph(pipeline, configuration, classLoader);
      LOG.debug("Submitting {} to the shared Flink mini cluster", job.getName());
      return c.submitJob(job).thenApply(r -> new MiniClusterJobClient(r.getJobID(), c, classLoader,
          MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
    }
  }
}
