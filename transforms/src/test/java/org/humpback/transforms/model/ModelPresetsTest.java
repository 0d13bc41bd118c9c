package org.humpback.transforms.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelPresetsTest {

  private static String key(String nameOrPath) {
    return ModelPresets.match(nameOrPath).map(ModelPreset::key).orElse("none");
  }

  @Test
  void matchesFileAndFolderNamesMostSpecificFirst() {
    assertEquals("multispecies_whale", key("/models/multispecies_whale_1/"));
    assertEquals("perch_v1", key("/models/perch_v4"));
    assertEquals("perch_v1", key("bird-vocalization-classifier"));
    assertEquals("perch_v2", key("/m/perch_v2.onnx"));
    assertEquals("perch_v2", key("/m/Perch-2/saved_model"));
    assertEquals("surfperch", key("/m/surfperch/"));
    assertEquals("humpback_whale", key("/work/humpback/models/humpback_whale_1"));
    assertEquals("birdnet_stm32", key("/c/birdnet-stm32/birdnet_stm32n6_100.tflite"));
    assertEquals("birdnet", key("BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"));
    assertEquals("yamnet", key("/c/yamnet/yamnet.tflite"));
    assertEquals("yamnet", key("/c/yamnet-humpback-head/yamnet_humpback_head.tflite"));
    assertEquals("koogu_blue_whale", key("/c/koogu-blue-whale/blue_whale_24"));
    // The project folder being called "humpback" must not make every model a humpback_whale model.
    assertEquals("none", key("/work/humpback/models/mystery.tflite"));
    assertEquals("none", key(""));
    assertEquals("none", key(null));
  }

  @Test
  void publishedFigures() {
    ModelPreset mw = ModelPresets.byKey("multispecies_whale").orElseThrow();
    assertEquals(24_000, mw.sampleRate());
    assertEquals(120_000, mw.windowSamples());
    assertEquals(1280, mw.vectorDim());
    ModelPreset p1 = ModelPresets.byKey("perch_v1").orElseThrow();
    assertEquals(160_000, p1.windowSamples());
    assertEquals("embedding", p1.outputName());
    assertEquals(1280, p1.vectorDim());
    assertEquals(1280, ModelPresets.byKey("surfperch").orElseThrow().vectorDim());
    assertEquals(1536, ModelPresets.byKey("perch_v2").orElseThrow().vectorDim());
    ModelPreset hw = ModelPresets.byKey("humpback_whale").orElseThrow();
    assertEquals(10_000, hw.sampleRate());
    assertEquals(39_200, hw.windowSamples());
    assertEquals(144_000, ModelPresets.byKey("birdnet").orElseThrow().windowSamples());
    ModelPreset stm = ModelPresets.byKey("birdnet_stm32").orElseThrow();
    assertEquals(InputFormat.SPECTROGRAM, stm.inputFormat());
    assertEquals(22_050, stm.sampleRate());
    assertEquals(15_600, ModelPresets.byKey("yamnet").orElseThrow().windowSamples());
    Set<String> keys = new HashSet<>();
    for (ModelPreset p : ModelPresets.all()) {
      assertTrue(keys.add(p.key()), "duplicate key " + p.key());
      assertTrue(p.sampleRate() > 0 && p.windowSeconds() > 0 && !p.notes().isBlank(), p.toString());
    }
  }
}
