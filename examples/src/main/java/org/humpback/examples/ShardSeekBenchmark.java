package org.humpback.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioSource;
import org.humpback.transforms.beam.ShardEncoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.Windower;

/**
 * What it costs to reach each time shard's start in a long MP3: planning (one packet pass for the
 * seek hints) and opening every shard's decoder at its start, with the hints {@code ShardEncoder.plan}
 * gives and without them (every shard demuxes from the file's start). Prints both, per repetition.
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.ShardSeekBenchmark FILE.mp3 [shard-seconds 300] [repetitions 3]}. A long MP3 can be
 * made with the FFmpeg the project bundles, e.g. {@code ffmpeg -f lavfi -i sine=frequency=300:sample_rate=44100:duration=3600
 * -c:a libmp3lame -b:a 128k 1h.mp3}.
 */
public final class ShardSeekBenchmark {

  private ShardSeekBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || !Files.isRegularFile(Path.of(args[0]))) {
      throw new IllegalArgumentException("Invalid arguments: expected an audio file, then [shard-seconds] [repetitions]");
    }
    Path file = Path.of(args[0]);
    double shardSeconds = args.length > 1 ? Double.parseDouble(args[1]) : 300;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    FrontEndConfig cfg = FrontEndConfig.defaults().withSampleRate(16000).withWindowSeconds(0.975)
        .withFeatures(FeatureType.WAVEFORM);
    System.out.printf("ShardSeekBenchmark: %s, %.0f-s shards%n", file, shardSeconds);
    for (int rep = 0; rep < reps; rep++) {
      long t0 = System.nanoTime();
      List<AudioShard> shards = ShardEncoder.plan("bench", AudioSource.of(file), cfg, shardSeconds);
      double plan = (System.nanoTime() - t0) / 1e6;
      double with = 0;
      double without = 0;
      for (AudioShard s : shards) {
        double start = Windower.shardStartSeconds(cfg, s.firstWindow());
        with += positionMillis(file, start, s.seekHint());
        without += positionMillis(file, start, null);
      }
      long hinted = shards.stream().filter(s -> s.seekHint() != null).count();
      System.out.printf("%d shards (%d with a hint): planning %.0f ms; positioning every shard with hints %.0f ms,"
          + " without %.0f ms%n", shards.size(), hinted, plan, with, without);
    }
  }

  /** Opens a decoder at {@code start} and reads its first samples; returns the milliseconds it took. */
  private static double positionMillis(Path file, double start, AudioDecoder.SeekHint hint) throws Exception {
    long t = System.nanoTime();
    try (AudioDecoder d = AudioDecoder.open(file, 16000, start, hint)) {
      d.read(new float[16], 0, 16);
    }
    return (System.nanoTime() - t) / 1e6;
  }
}
