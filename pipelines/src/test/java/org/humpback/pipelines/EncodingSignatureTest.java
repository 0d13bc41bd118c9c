package org.humpback.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LastWindowPolicy;
import org.humpback.transforms.model.InputFormat;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodingSignatureTest {

  private static final String CHECKSUM = "a".repeat(64);
  private static final ModelConfig MODEL = ModelConfig.of("/models/m.tflite", ModelType.TFLITE);

  @Test
  void isAPinnedValueForTheDefaults() {
    // Pinned: a signature must not drift between runs, JVMs or releases (old embedding sets would be recomputed).
    // Changed on purpose once: TFLite signatures gained "tflite_hybrid_kernels" when dynamic-range-quantized
    // models moved to dequantized float weights (their numbers changed, so old sets must not be reused).
    String sig = EncodingSignature.compute("perch", CHECKSUM, MODEL, FrontEndConfig.defaults());
    assertEquals(PINNED_DEFAULT_SIGNATURE, sig);
    assertEquals(sig, EncodingSignature.compute("perch", CHECKSUM, MODEL, FrontEndConfig.defaults()));
  }

  @Test
  void isTheSha256OfTheCanonicalDocument() {
    String doc = EncodingSignature.canonicalJson("perch", CHECKSUM, MODEL, FrontEndConfig.defaults());
    assertEquals(EncodingSignature.sha256Hex(doc.getBytes(StandardCharsets.UTF_8)),
        EncodingSignature.compute("perch", CHECKSUM, MODEL, FrontEndConfig.defaults()));
    assertTrue(doc.startsWith("{\"format\":1,\"front_end\":{\"amin\":1.0E-10,"), doc);
    assertTrue(doc.contains("\"model_sha256\":\"" + CHECKSUM + "\""), doc);
  }

  @Test
  void changesWhenAnyFrontEndParameterChanges() {
    FrontEndConfig d = FrontEndConfig.defaults();
    Map<String, FrontEndConfig> variants = new LinkedHashMap<>();
    variants.put("defaults", d);
    variants.put("sample_rate", d.withSampleRate(16000));
    variants.put("window_seconds", d.withWindowSeconds(3.0));
    variants.put("hop_seconds", d.withHopSeconds(2.5));
    variants.put("last_window", d.withLastWindow(LastWindowPolicy.DROP));
    variants.put("features", d.withFeatures(FeatureType.WAVEFORM));
    variants.put("n_fft", d.withNFft(1024));
    variants.put("hop_length", d.withHopLength(1000));
    variants.put("n_mels", d.withNMels(64));
    variants.put("fmin", d.withFmin(50.0));
    variants.put("fmax", d.withFmax(15000.0));
    variants.put("power", d.withPower(1.0));
    variants.put("db_ref", d.withDbRef(1.0));
    variants.put("amin", d.withAmin(1e-5));
    variants.put("top_db", d.withTopDb(null));
    variants.put("target_frames", d.withTargetFrames(0));
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, FrontEndConfig> e : variants.entrySet()) {
      String sig = EncodingSignature.compute("perch", CHECKSUM, MODEL, e.getValue());
      assertTrue(seen.add(sig), "changing " + e.getKey() + " did not change the signature");
    }
    // fmax = null means Nyquist: the same numbers, so the same signature.
    assertEquals(EncodingSignature.compute("perch", CHECKSUM, MODEL, d),
        EncodingSignature.compute("perch", CHECKSUM, MODEL, d.withFmax(16000.0)));
  }

  @Test
  void changesWithModelIdentityAndChoicesButNotWithThreadsOrBatch() {
    FrontEndConfig d = FrontEndConfig.defaults();
    String base = EncodingSignature.compute("perch", CHECKSUM, MODEL, d);
    assertNotEquals(base, EncodingSignature.compute("perch2", CHECKSUM, MODEL, d));
    assertNotEquals(base, EncodingSignature.compute("perch", "b".repeat(64), MODEL, d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withOutputName("embedding"), d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withInputName("x"), d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withSignatureName("serving_default"), d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withInputFormat(InputFormat.WAVEFORM), d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withTransposeSpectrogram(true), d));
    assertNotEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withHybridKernels(true), d));
    assertEquals(base, EncodingSignature.compute("perch", CHECKSUM, MODEL.withThreads(4).withBatchSize(32), d));
  }

  @Test
  void namesTfLiteHybridKernelsOnlyForTfLiteModels() {
    FrontEndConfig d = FrontEndConfig.defaults();
    assertTrue(EncodingSignature.canonicalJson("perch", CHECKSUM, MODEL, d).contains("\"tflite_hybrid_kernels\":false"));
    ModelConfig onnx = ModelConfig.of("/models/m.onnx", ModelType.ONNX);
    assertFalse(EncodingSignature.canonicalJson("perch", CHECKSUM, onnx, d).contains("hybrid"));
    // The flag means nothing to ONNX Runtime, so it must not split its signatures.
    assertEquals(EncodingSignature.compute("perch", CHECKSUM, onnx, d),
        EncodingSignature.compute("perch", CHECKSUM, onnx.withHybridKernels(true), d));
  }

  @Test
  void refusesBadArgumentsByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EncodingSignature.compute("perch", "xyz", MODEL, FrontEndConfig.defaults()));
    assertTrue(e.getMessage().contains("model checksum") && e.getMessage().contains("xyz"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EncodingSignature.compute(" ", CHECKSUM, MODEL, FrontEndConfig.defaults()));
    assertThrows(IllegalArgumentException.class, () -> EncodingSignature.modelChecksum(Path.of("/no/such/model.tflite")));
  }

  @Test
  void modelChecksumOfAFileIsItsSha256(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("m.tflite");
    Files.writeString(f, "abc");
    // sha256("abc"), the FIPS 180-2 test vector.
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EncodingSignature.modelChecksum(f));
  }

  @Test
  void modelChecksumOfADirectoryCoversEveryFileAndItsPath(@TempDir Path dir) throws Exception {
    Path sm = dir.resolve("saved");
    Files.createDirectories(sm.resolve("variables"));
    Files.writeString(sm.resolve("saved_model.pb"), "graph");
    Files.writeString(sm.resolve("variables/variables.data-00000-of-00001"), "weights");
    String a = EncodingSignature.modelChecksum(sm);
    assertEquals(a, EncodingSignature.modelChecksum(sm));
    Files.writeString(sm.resolve("variables/variables.data-00000-of-00001"), "weightz");
    String b = EncodingSignature.modelChecksum(sm);
    assertNotEquals(a, b);
    Files.move(sm.resolve("variables/variables.data-00000-of-00001"), sm.resolve("variables/renamed"));
    assertNotEquals(b, EncodingSignature.modelChecksum(sm));
  }

  static final String PINNED_DEFAULT_SIGNATURE = "f91952dcf88cb1b4db0a144e3b1dce6ac70b7a94e68f9a50efa9bb6563484609";
}
