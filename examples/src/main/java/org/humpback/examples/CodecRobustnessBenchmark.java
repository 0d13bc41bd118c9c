package org.humpback.examples;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.cluster.Metric;
import org.humpback.transforms.model.EmbeddingModel;
import org.humpback.transforms.model.EmbeddingModels;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelProbe;
import org.humpback.transforms.model.ModelType;
import org.humpback.transforms.model.TensorInfo;

/**
 * How much YAMNet's vectors move when one recording comes through a different codec. For each
 * pair, window by window (16 kHz, 0.975 s), it prints the mean correlation of the decoded audio
 * (mean removed: the Glacier Bay clip sits on a +0.36 DC offset that would make any cosine look
 * perfect) and the mean and minimum cosine of the 1024-d embedding (the intermediate tensor
 * {@code yamnet_frames/global_average_pooling2d/Mean}), computed two ways: with YAMNet's int8
 * layers in float (humpback's default: weights dequantized at load) and on TFLite's hybrid kernels
 * (activations quantized to int8 on every call, TFLite's own default).
 *
 * <p>Pairs: a PCM16 WAV made from an original against the corpus MP3 converted from that original
 * (New Caledonia song; Glacier Bay .hq.ogg), the corpus Glacier Bay WAV against the OGG it came
 * from, and the corpus Glacier Bay WAV against the corpus MP3, which came from a different source
 * (the .hq.ogg).
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
    Path tmp = Files.createTempDirectory("codec-robustness");
    Path ncWav = pcm16Copy(audio.resolve("song-new-caledonia-2010-ccby25.oga"), tmp.resolve("nc.wav"));
    Path gbWav = pcm16Copy(audio.resolve("glacier-bay-humpback.hq.ogg"), tmp.resolve("gb-hq.wav"));
    List<Path[]> pairs = List.of(
        new Path[] {ncWav, audio.resolve("song-new-caledonia-2010-ccby25.mp3")},
        new Path[] {gbWav, audio.resolve("glacier-bay-humpback.mp3")},
        new Path[] {audio.resolve("glacier-bay-humpback.wav"), audio.resolve("glacier-bay-humpback.ogg")},
        new Path[] {audio.resolve("glacier-bay-humpback.wav"), audio.resolve("glacier-bay-humpback.mp3")});
    String[] labels = {"NC song: PCM16 of the .oga vs the .mp3", "Glacier Bay: PCM16 of the .hq.ogg vs the .mp3",
        "Glacier Bay: corpus .wav vs the .ogg it came from", "Glacier Bay: corpus .wav vs .mp3 (two sources)"};
    System.out.printf("%-48s %7s %9s %9s %9s %11s %11s%n", "pair", "windows", "audio_r", "float", "float_min",
        "hybrid", "hybrid_min");
    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(embedding.name());
    try (EmbeddingModel dequantized = EmbeddingModels.open(config);
        EmbeddingModel hybrid = EmbeddingModels.open(config.withHybridKernels(true))) {
      for (int p = 0; p < pairs.size(); p++) {
        List<AudioWindow> a = windows(pairs.get(p)[0]);
        List<AudioWindow> b = windows(pairs.get(p)[1]);
        int n = Math.min(a.size(), b.size());
        double[] r = new double[n];
        double[] f = new double[n];
        double[] h = new double[n];
        for (int k = 0; k < n; k++) {
          float[] x = a.get(k).samples();
          float[] y = b.get(k).samples();
          r[k] = Metric.cosine(centred(x), centred(y));
          f[k] = Metric.cosine(dequantized.embed(new float[][] {x})[0], dequantized.embed(new float[][] {y})[0]);
          h[k] = Metric.cosine(hybrid.embed(new float[][] {x})[0], hybrid.embed(new float[][] {y})[0]);
        }
        System.out.printf("%-48s %7d %9.4f %9.4f %9.4f %11.4f %11.4f%n", labels[p], n, mean(r), mean(f), min(f), mean(h), min(h));
      }
    } finally {
      for (Path p : List.of(ncWav, gbWav, tmp)) {
        Files.deleteIfExists(p);
      }
    }
  }

  static List<AudioWindow> windows(Path file) throws Exception {
    try (AudioDecoder d = AudioDecoder.open(file, FRONT_END.sampleRate())) {
      return Windower.windows(file.getFileName().toString(), d.readAll(), FRONT_END);
    }
  }

  /** {@code source} decoded at its own rate and written as a mono PCM16 WAV, as a converter would. */
  static Path pcm16Copy(Path source, Path wav) throws Exception {
    float[] s;
    int rate;
    try (AudioDecoder d = AudioDecoder.open(source, 0)) {
      s = d.readAll();
      rate = d.info().sampleRate();
    }
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * s.length)
        .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * s.length);
    for (float v : s) {
      b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767f));
    }
    return Files.write(wav, b.array());
  }

  static float[] centred(float[] x) {
    double m = 0;
    for (float v : x) {
      m += v;
    }
    m /= x.length;
    float[] c = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      c[i] = (float) (x[i] - m);
    }
    return c;
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
