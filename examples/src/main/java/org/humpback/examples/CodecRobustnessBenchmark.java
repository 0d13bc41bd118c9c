package org.humpback.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;

/**
 * How much YAMNet's vectors move when the same recording comes through a different codec: the
 * glacier-bay humpback clip as WAV against its MP3 (128 kbit/s), the OGG the WAV was converted
 * from and an independently encoded 44.1-kHz OGG. For each pair, window by window (16 kHz,
 * 0.975 s), it prints the mean and minimum cosine of the decoded audio, of the 1024-d embedding
 * (the intermediate tensor {@code yamnet_frames/global_average_pooling2d/Mean}) and of the 521
 * class scores ({@code Identity}).
 *
 * <p>Usage: {@code java -cp "examples/target/humpback-examples-0.1.0-SNAPSHOT.jar:examples/target/lib/*"
 * org.humpback.examples.CodecRobustnessBenchmark [SHARED_ROOT]} (default {@code ../shared}).
 */
public final class CodecRobustnessBenchmark {

  static final FrontEndConfig FRONT_END = FrontEndConfig.defaults()
      .withSampleRate(16000).withWindowSeconds(0.975).withFeatures(FeatureType.WAVEFORM);

  private CodecRobustnessBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path shared = Path.of(args.length > 0 ? args[0] : "../shared").toAbsolutePath().normalize();
    Path model = shared.resolve("corpus/models/yamnet/yamnet.tflite");
    Path audio = shared.resolve("corpus/audio/humpback");
    if (!Files.exists(model) || !Files.isDirectory(audio)) {
      throw new IllegalArgumentException("Invalid shared root: " + shared + " (needs corpus/models/yamnet and corpus/audio/humpback)");
    }
    TensorInfo embedding = ModelProbe.embeddingCandidate(model.toString(), ModelType.TFLITE).orElseThrow();
    System.out.printf("CodecRobustnessBenchmark: %s, embedding tensor %s%n", model, embedding);
    System.out.printf("%-44s %7s %9s %9s %9s %9s %9s %9s%n", "pair", "windows",
        "audio", "audio_min", "emb", "emb_min", "scores", "score_min");
    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE);
    List<AudioWindow> reference = windows(audio.resolve("glacier-bay-humpback.wav"));
    try (EmbeddingModel emb = EmbeddingModels.open(config.withOutputName(embedding.name()));
        EmbeddingModel scores = EmbeddingModels.open(config.withOutputName("Identity"))) {
      for (String other : List.of("glacier-bay-humpback.mp3", "glacier-bay-humpback.ogg", "glacier-bay-humpback.hq.ogg")) {
        List<AudioWindow> w = windows(audio.resolve(other));
        int n = Math.min(reference.size(), w.size());
        double[] a = new double[n];
        double[] e = new double[n];
        double[] s = new double[n];
        for (int k = 0; k < n; k++) {
          float[] x = reference.get(k).samples();
          float[] y = w.get(k).samples();
          a[k] = cosine(x, y);
          e[k] = cosine(emb.embed(new float[][] {x})[0], emb.embed(new float[][] {y})[0]);
          s[k] = cosine(scores.embed(new float[][] {x})[0], scores.embed(new float[][] {y})[0]);
        }
        System.out.printf("%-44s %7d %9.5f %9.5f %9.4f %9.4f %9.4f %9.4f%n", "wav vs " + other, n,
            mean(a), min(a), mean(e), min(e), mean(s), min(s));
      }
    }
  }

  static List<AudioWindow> windows(Path file) throws Exception {
    try (AudioDecoder d = AudioDecoder.open(file, FRONT_END.sampleRate())) {
      return Windower.windows(file.getFileName().toString(), d.readAll(), FRONT_END);
    }
  }

  static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }
}
