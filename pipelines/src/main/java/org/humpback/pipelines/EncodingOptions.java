package org.humpback.pipelines;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the encoding pipeline. Runner choice is Beam's own {@code --runner}: {@code DirectRunner}
 * (the default) or {@code FlinkRunner} with {@code --flinkMaster=[local]|host:port} and
 * {@code --parallelism=N}; {@link EncodingPipeline#options} builds them from the command line's
 * short forms ({@code --runner direct|flink}).
 *
 * <p>The direct runner's enforceImmutability/enforceEncodability checks copy and re-encode every
 * element (several times the cost of the work itself on audio windows): they stay on in tests, which
 * is where they catch bugs, and {@link EncodingPipeline#options} turns them off for real launches.
 */
public interface EncodingOptions extends FlinkPipelineOptions, DirectOptions {

  @Description("Windows per model call (the runtime is resized to it when the model allows)")
  @Default.Integer(16)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("Intra-op threads of the model runtime per model instance; 0 = auto (1 per instance, one instance"
      + " per runner thread)")
  @Default.Integer(0)
  int getModelThreads();

  void setModelThreads(int value);

  @Description("Longest piece of one audio file decoded by one worker, in seconds (long files are split into shards)")
  @Default.Double(300.0)
  double getMaxShardSeconds();

  void setMaxShardSeconds(double value);
}
