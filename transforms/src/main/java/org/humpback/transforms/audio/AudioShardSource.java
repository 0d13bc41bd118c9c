package org.humpback.transforms.audio;

import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Planned shards as a bounded source that splits into one shard per split, whatever size the runner
 * asks for: runners assign splits lazily, so shards go to workers as workers free up. See
 * {@link AudioIO#readShards}.
 */
final class AudioShardSource extends BoundedSource<AudioShard> {

  /** What a shard weighs for runners that size their splits (a few hundred windows' audio). */
  private static final long BYTES_PER_SHARD = 1L << 20;

  private final List<AudioShard> shards;

  AudioShardSource(List<AudioShard> shards) {
    if (shards == null) {
      throw new IllegalArgumentException("Invalid shards: null");
    }
    this.shards = List.copyOf(shards);
  }

  @Override
  public List<? extends BoundedSource<AudioShard>> split(long desiredBundleSizeBytes, PipelineOptions options) {
    if (shards.size() <= 1) {
      return List.of(this);
    }
    return shards.stream().map(s -> new AudioShardSource(List.of(s))).toList();
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return shards.size() * BYTES_PER_SHARD;
  }

  @Override
  public Coder<AudioShard> getOutputCoder() {
    return AudioShard.ShardCoder.of();
  }

  @Override
  public void validate() {}

  @Override
  public BoundedReader<AudioShard> createReader(PipelineOptions options) {
    return new BoundedReader<>() {
      private int next = -1;

      @Override
      public boolean start() {
        return advance();
      }

      @Override
      public boolean advance() {
        next++;
        return next < shards.size();
      }

      @Override
      public AudioShard getCurrent() {
        if (next < 0 || next >= shards.size()) {
          throw new NoSuchElementException();
        }
        return shards.get(next);
      }

      @Override
      public void close() {}

      @Override
      public BoundedSource<AudioShard> getCurrentSource() {
        return AudioShardSource.this;
      }
    };
  }

  @Override
  public String toString() {
    return "AudioShardSource[" + shards.size() + " shards]";
  }
}
