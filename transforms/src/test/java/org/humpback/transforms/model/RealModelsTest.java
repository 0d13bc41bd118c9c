package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;

/** The runtimes on the real models in ../shared/corpus/models, fed real recordings (skipped when absent). */
class RealModelsTest {

  @Test
  void yamnetTfliteProbesAndEmbedsRealAudio() throws Exception {
    Path model = SharedCorpus.yamnet();
    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName("Identity"); // scores [1,521]; Identity_1 is the log-mel
    ModelDescription d = ModelProbe.probe(config);
    assertEquals(InputFormat.WAVEFORM, d.inputFormat());
    assertEquals(521, d.vectorDim());
    assertEquals(15600, ModelSupport.itemLength(d.selectedInput().shape()));
    assertEquals(List.of(), d.flexOps());

    // 16 kHz fish clips: 0.975 s windows straight from the WAV.
    float[] audio = readWav(SharedCorpus.audio("contrast-fish").toFile().listFiles((f, n) -> n.endsWith(".wav"))[0].toPath());
    float[][] windows = windows(audio, 15600, 3);
    try (EmbeddingModel m = EmbeddingModels.open(config.withBatchSize(4))) {
      float[][] out = m.embed(windows);
      assertEquals(3, out.length);
      for (float[] v : out) {
        assertEquals(521, v.length);
        assertFinite(v);
      }
      // Same result item by item as batched.
      assertArrayEquals(out[1], m.embed(new float[][] {windows[1]})[0], 1e-5f);
    }
  }

  /** YAMNet's 1024-d embedding: the global average pool feeding the logits layer, an intermediate tensor of this .tflite. */
  static final String YAMNET_EMBEDDING = "yamnet_frames/global_average_pooling2d/Mean";

  @Test
  void yamnetEmbeddingIsTheIntermediateTensorBeforeTheLogits() throws Exception {
    Path model = SharedCorpus.yamnet();
    TensorInfo candidate = ModelProbe.embeddingCandidate(model.toString(), ModelType.TFLITE).orElseThrow();
    assertEquals(YAMNET_EMBEDDING, candidate.name());
    assertArrayEquals(new long[] {1, 1024}, candidate.shape());
    assertEquals(YAMNET_EMBEDDING, ModelPresets.byKey("yamnet").orElseThrow().outputName());

    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(YAMNET_EMBEDDING);
    ModelDescription d = ModelProbe.probe(config);
    assertEquals(1024, d.vectorDim());
    assertEquals(YAMNET_EMBEDDING, d.selectedOutput().name());

    float[] audio = readWav(SharedCorpus.audio("humpback/glacier-bay-humpback.wav"));
    // Real humpback song; the clip is 22.05 kHz, fed unresampled (the test checks the wiring of
    // the embedding against the scores output, not what YAMNet hears).
    float[][] windows = windows(audio, 15600, 3);
    float[][] emb;
    float[][] scores;
    try (EmbeddingModel m = EmbeddingModels.open(config.withBatchSize(4))) {
      emb = m.embed(windows);
    }
    try (EmbeddingModel m = EmbeddingModels.open(config.withOutputName("Identity"))) {
      scores = m.embed(windows);
    }
    // The logits layer in plain Java: int8 weights [521,1024] (one scale, zero point 0) and float
    // bias, applied to the embedding, then the sigmoid, must give the scores output. The runtime's
    // hybrid FULLY_CONNECTED quantizes the embedding to int8 on the fly, hence the tolerance.
    org.tensorflow.lite.schema.Model fb = org.tensorflow.lite.schema.Model.getRootAsModel(
        java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(model)).order(java.nio.ByteOrder.LITTLE_ENDIAN));
    org.tensorflow.lite.schema.SubGraph g = fb.subgraphs(0);
    org.tensorflow.lite.schema.Operator fc = g.operators(g.operatorsLength() - 2);
    org.tensorflow.lite.schema.Tensor w = g.tensors(fc.inputs(1));
    org.tensorflow.lite.schema.Tensor b = g.tensors(fc.inputs(2));
    assertEquals(YAMNET_EMBEDDING, g.tensors(fc.inputs(0)).name());
    java.nio.ByteBuffer wData = fb.buffers((int) w.buffer()).dataAsByteBuffer();
    java.nio.ByteBuffer bData = fb.buffers((int) b.buffer()).dataAsByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    float scale = w.quantization().scale(0);
    for (int k = 0; k < windows.length; k++) {
      assertEquals(1024, emb[k].length);
      assertFinite(emb[k]);
      double norm = 0;
      for (float v : emb[k]) {
        assertTrue(v >= 0, "the pool averages ReLU outputs, so no value is negative");
        norm += v * v;
      }
      assertTrue(norm > 0, "window " + k + " has an all-zero embedding");
      double maxDiff = 0;
      for (int c = 0; c < 521; c++) {
        double logit = bData.getFloat(bData.position() + 4 * c);
        for (int i = 0; i < 1024; i++) {
          logit += scale * wData.get(wData.position() + c * 1024 + i) * emb[k][i];
        }
        maxDiff = Math.max(maxDiff, Math.abs(1 / (1 + Math.exp(-logit)) - scores[k][c]));
      }
      System.out.printf("YAMNet window %d: max |sigmoid(W·embedding+b) - scores| = %.2e%n", k, maxDiff);
      assertTrue(maxDiff < 5e-3, "window " + k + ": scores recomputed from the embedding differ by " + maxDiff);
    }
  }

  @Test
  void yamnetHumpbackHeadSelectsOutputByName() throws Exception {
    Path model = SharedCorpus.model("yamnet-humpback-head/yamnet_humpback_head.tflite");
    ModelDescription all = ModelProbe.probe(ModelConfig.of(model.toString(), ModelType.TFLITE));
    assertEquals(2, all.outputs().size(), all.outputs().toString());
    TensorInfo head = all.outputs().stream().filter(t -> t.elementsPerItem() == 2).findFirst().orElseThrow();
    // By the TFLite tensor name, and by the SignatureDef key of the TF export ("sequential_2").
    ModelConfig byTensor = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName(head.name());
    ModelConfig byKey = ModelConfig.of(model.toString(), ModelType.TFLITE).withOutputName("sequential_2")
        .withInputName("audio");
    assertEquals(head, ModelProbe.probe(byTensor).selectedOutput());
    assertEquals(head, ModelProbe.probe(byKey).selectedOutput());
    assertEquals(2, ModelProbe.probe(byKey).vectorDim());
    assertEquals(521, ModelProbe.probe(byKey.withOutputName("keras_layer_1")).vectorDim());

    float[] audio = readWav(SharedCorpus.audio("labelled-pifsc/mn").toFile().listFiles((f, n) -> n.endsWith(".wav"))[0].toPath());
    // The PIFSC clips are 10 kHz; the head wants 16 kHz. Linear interpolation is enough for a finiteness check.
    float[] at16k = new float[(int) ((long) audio.length * 16 / 10)];
    for (int i = 0; i < at16k.length; i++) {
      double src = i * 10.0 / 16.0;
      int k = (int) src;
      double frac = src - k;
      at16k[i] = (float) (audio[Math.min(k, audio.length - 1)] * (1 - frac) + audio[Math.min(k + 1, audio.length - 1)] * frac);
    }
    try (EmbeddingModel m = EmbeddingModels.open(byKey.withBatchSize(4))) {
      float[][] out = m.embed(windows(at16k, 15600, 3));
      for (float[] v : out) {
        assertEquals(2, v.length);
        assertFinite(v);
      }
    }
  }

  @Test
  void truncatedRealModelsGiveModelException(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path yamnet = SharedCorpus.yamnet();
    long size = java.nio.file.Files.size(yamnet);
    for (long keep : new long[] {size / 10, size / 2, size - 1000}) {
      Path cut = org.humpback.transforms.testing.TinyModels.truncated(yamnet, tmp.resolve("y" + keep + ".tflite"), (int) keep);
      ModelException e = assertThrows(ModelException.class,
          () -> ModelProbe.probe(ModelConfig.of(cut.toString(), ModelType.TFLITE)));
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
    // A SavedModel folder whose saved_model.pb is cut in half.
    Path koogu = SharedCorpus.model("koogu-blue-whale/blue_whale_24");
    Path copy = tmp.resolve("koogu");
    try (var files = java.nio.file.Files.walk(koogu)) {
      for (Path p : files.toList()) {
        Path target = copy.resolve(koogu.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(p, target);
        }
      }
    }
    Path pb = copy.resolve("saved_model.pb");
    org.humpback.transforms.testing.TinyModels.truncated(pb, pb, (int) java.nio.file.Files.size(pb) / 2);
    ModelException e = assertThrows(ModelException.class, () -> ModelProbe.probe(
        ModelConfig.of(copy.toString(), ModelType.TF2_SAVED_MODEL).withSignatureName("with_transformation")));
    assertTrue(e.getMessage().startsWith(copy.toString()), e.getMessage());
  }

  @Test
  void birdnetStm32Int8SpectrogramModel() throws Exception {
    Path model = SharedCorpus.model("birdnet-stm32/birdnet_stm32n6_100.tflite");
    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TFLITE);
    ModelDescription d = ModelProbe.probe(config);
    assertEquals(InputFormat.SPECTROGRAM, d.inputFormat());
    // Int8 inside; this export keeps float32 I/O with QUANTIZE/DEQUANTIZE at the ends.
    assertTrue(List.of("float32", "int8").contains(d.selectedInput().dtype()), d.selectedInput().toString());
    long[] shape = d.selectedInput().shape();
    assertArrayEquals(new long[] {257, 256, 1}, java.util.Arrays.copyOfRange(shape, 1, 4), java.util.Arrays.toString(shape));
    assertEquals(100, d.vectorDim());
    // A linear magnitude spectrogram of 3 s of real humpback song at 22.05 kHz: Hann frames of 512,
    // hop 258, 256 frames, |rFFT| bins 0..256 as rows ([257][256], the model's layout), scaled to 0..1.
    float[] audio = readWav(SharedCorpus.audio("humpback/glacier-bay-humpback.wav"));
    float[] spec = linearSpectrogram(audio, 22_050 * 10, 512, 258, 256);
    try (EmbeddingModel m = EmbeddingModels.open(config.withBatchSize(2))) {
      float[][] out = m.embed(new float[][] {spec, new float[spec.length], spec});
      assertArrayEquals(out[0], out[2], 1e-5f);
      for (float[] v : out) {
        assertEquals(100, v.length);
        assertFinite(v);
      }
    }
  }

  static float[] linearSpectrogram(float[] audio, int from, int nfft, int hop, int frames) {
    int bins = nfft / 2 + 1;
    float[] spec = new float[bins * frames];
    org.jtransforms.fft.FloatFFT_1D fft = new org.jtransforms.fft.FloatFFT_1D(nfft);
    float max = 0;
    for (int t = 0; t < frames; t++) {
      float[] frame = new float[nfft];
      for (int i = 0; i < nfft; i++) {
        int k = from + t * hop + i;
        double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / nfft);
        frame[i] = k < audio.length ? (float) (audio[k] * hann) : 0f;
      }
      fft.realForward(frame); // packed: [re0, re(n/2), re1, im1, ...]
      for (int b = 0; b < bins; b++) {
        double re = b == 0 ? frame[0] : b == nfft / 2 ? frame[1] : frame[2 * b];
        double im = b == 0 || b == nfft / 2 ? 0 : frame[2 * b + 1];
        float mag = (float) Math.hypot(re, im);
        spec[b * frames + t] = mag;
        max = Math.max(max, mag);
      }
    }
    for (int i = 0; i < spec.length; i++) {
      spec[i] /= max;
    }
    return spec;
  }

  @Test
  void kooguSavedModelNeedsASignatureAndRunsWithTransformation() throws Exception {
    Path model = SharedCorpus.model("koogu-blue-whale/blue_whale_24");
    ModelException e = assertThrows(ModelException.class,
        () -> ModelProbe.probe(ModelConfig.of(model.toString(), ModelType.TF2_SAVED_MODEL)));
    assertTrue(e.getMessage().contains("with_transformation") && e.getMessage().contains("basic"), e.getMessage());

    ModelConfig config = ModelConfig.of(model.toString(), ModelType.TF2_SAVED_MODEL)
        .withSignatureName("with_transformation").withBatchSize(8);
    ModelDescription d = ModelProbe.probe(config);
    assertEquals("inputs", d.selectedInput().name());
    assertArrayEquals(new long[] {-1, 1125}, d.selectedInput().shape());
    assertEquals("scores", d.selectedOutput().name());
    assertEquals(2, d.vectorDim());
    assertEquals(InputFormat.WAVEFORM, d.inputFormat());
    assertTrue(d.signatures().containsAll(List.of("basic", "with_transformation")), d.signatures().toString());

    // 10 kHz humpback clip decimated to 250 Hz by averaging 40 samples (crude, but a real signal).
    Path clip = SharedCorpus.audio("labelled-pifsc/mn").toFile().listFiles((f, n) -> n.endsWith(".wav"))[0].toPath();
    float[] audio = readWav(clip);
    float[] at250 = new float[audio.length / 40];
    for (int i = 0; i < at250.length; i++) {
      for (int k = 0; k < 40; k++) {
        at250[i] += audio[i * 40 + k] / 40f;
      }
    }
    float[] padded = java.util.Arrays.copyOf(at250, 1125);
    try (EmbeddingModel m = EmbeddingModels.open(config)) {
      float[][] out = m.embed(new float[][] {padded, padded});
      assertEquals(2, out.length);
      assertEquals(2, out[0].length);
      assertFinite(out[0]);
      assertArrayEquals(out[0], out[1], 1e-5f);
    }
  }

  static void assertFinite(float[] v) {
    for (float x : v) {
      assertTrue(Float.isFinite(x), "non-finite value in " + java.util.Arrays.toString(v));
    }
  }

  static float[][] windows(float[] audio, int len, int count) {
    float[][] w = new float[count][len];
    for (int i = 0; i < count; i++) {
      int from = i * len;
      if (from < audio.length) {
        System.arraycopy(audio, from, w[i], 0, Math.min(len, audio.length - from));
      }
    }
    return w;
  }

  /** Mono PCM16 WAV to floats in [-1, 1) (the corpus's labelled clips and fish queries). */
  static float[] readWav(Path wav) throws IOException, UnsupportedAudioFileException {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
      AudioFormat f = in.getFormat();
      byte[] bytes = in.readAllBytes();
      int channels = f.getChannels();
      int frames = bytes.length / (2 * channels);
      float[] out = new float[frames];
      for (int i = 0; i < frames; i++) {
        int p = i * 2 * channels;
        int s = f.isBigEndian() ? (bytes[p] << 8) | (bytes[p + 1] & 0xff) : (bytes[p + 1] << 8) | (bytes[p] & 0xff);
        out[i] = s / 32768f;
      }
      return out;
    }
  }
}
