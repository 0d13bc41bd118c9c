package org.humpback.transforms.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Published specifications of the bioacoustic models humpback knows by name. Figures are from the
 * models' own model cards / papers; where a figure is not published the preset says so (vectorDim 0).
 */
public final class ModelPresets {

  private ModelPresets() {}

  // Order matters: more specific patterns first (surfperch before perch, perch v2 before v1,
  // BirdNET-STM32 before BirdNET).
  private static final List<ModelPreset> PRESETS = List.of(
      new ModelPreset("multispecies_whale", "multispecies[-_ ]?whale", 24_000, 5.0, InputFormat.WAVEFORM,
          "embedding", 1280,
          "Google multispecies whale model (TF Hub google/multispecies-whale): 24 kHz, 5 s context, "
              + "1280-d embedding, 12 whale classes + call types."),
      new ModelPreset("surfperch", "surf[-_ ]?perch", 32_000, 5.0, InputFormat.WAVEFORM,
          "embedding", 1280,
          "SurfPerch (Williams et al. 2024, coral-reef Perch): 32 kHz, 5 s (160000 samples), 1280-d "
              + "'embedding' output beside 'label'."),
      new ModelPreset("perch_v2", "perch[-_ ]?v?2", 32_000, 5.0, InputFormat.WAVEFORM,
          "embedding", 1536,
          "Perch 2.0 (Google DeepMind 2025): 32 kHz, 5 s (160000 samples), 1536-d 'embedding'; "
              + "TF SavedModel and ONNX builds; also outputs 'label', 'spatial_embedding', 'spectrogram'."),
      new ModelPreset("perch_v1", "perch|bird[-_ ]?vocalization[-_ ]?classifier", 32_000, 5.0,
          InputFormat.WAVEFORM, "embedding", 1280,
          "Perch v1 (TF Hub google/bird-vocalization-classifier v1-v4): 32 kHz, 5 s (160000 samples), "
              + "1280-d 'embedding' beside 'label' logits and 'frontend'."),
      new ModelPreset("humpback_whale", "humpback[-_ ]?whale", 10_000, 3.92, InputFormat.WAVEFORM,
          null, 0,
          "Google/NOAA humpback whale detector (Allen et al. 2021, TF Hub google/humpback_whale, 2018 "
              + "training): 10 kHz, 3.92 s context, waveform [batch, samples, 1], PCEN front end "
              + "inside; 'score' signature gives one probability per context; embedding width not "
              + "published - take it from probing."),
      new ModelPreset("birdnet_stm32", "birdnet[-_ ]?stm32", 22_050, 3.0, InputFormat.SPECTROGRAM,
          null, 100,
          "BirdNET for STM32N6 (birdnet-team/birdnet-stm32): fully int8, linear spectrogram "
              + "[1,257,256,1] (FFT 512, hop 258), 22.05 kHz, 3 s; output 100 sigmoid classes "
              + "(256-d embedding layer is internal)."),
      new ModelPreset("birdnet", "birdnet", 48_000, 3.0, InputFormat.WAVEFORM,
          null, 1024,
          "BirdNET-Analyzer v2.4 (Kahl et al.): 48 kHz, 3 s (144000 samples) waveform, 1024-d "
              + "embeddings, 6522 class scores; the embedding is a separate output/model in the release."),
      new ModelPreset("yamnet", "yamnet", 16_000, 0.975, InputFormat.WAVEFORM,
          "yamnet_frames/global_average_pooling2d/Mean", 1024,
          "YAMNet (Google, AudioSet): 16 kHz, 0.975 s (15600 samples) waveform; 1024-d embedding = "
              + "the global average pool before the logits layer, tensor "
              + "'yamnet_frames/global_average_pooling2d/Mean' [1,1024] (an intermediate tensor of the "
              + ".tflite builds, which output only the 521 AudioSet scores, 'Identity', and a log-mel); "
              + "the TF Hub SavedModel calls it 'embeddings'."),
      new ModelPreset("koogu_blue_whale", "koogu|blue[-_ ]?whale", 250, 4.5, InputFormat.WAVEFORM,
          "scores", 2,
          "Koogu blue-whale D-call detector (Miller et al. 2023): 250 Hz, 4.5 s (1125 samples), "
              + "signature 'with_transformation', 'scores' [blue whale, noise]."));

  private static final List<Pattern> PATTERNS =
      PRESETS.stream().map(p -> Pattern.compile(p.namePattern(), Pattern.CASE_INSENSITIVE)).toList();

  /** Every known preset, most specific first. */
  public static List<ModelPreset> all() {
    return PRESETS;
  }

  /** A preset by its key, e.g. {@code "perch_v2"}. */
  public static Optional<ModelPreset> byKey(String key) {
    return PRESETS.stream().filter(p -> p.key().equalsIgnoreCase(key)).findFirst();
  }

  /**
   * The preset whose pattern matches a model name or path: first against the file (or SavedModel
   * folder) name, then against its parent folder's name. Whole paths are not searched, so a
   * project folder named "humpback" does not match the humpback_whale preset.
   */
  public static Optional<ModelPreset> match(String nameOrPath) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      return Optional.empty();
    }
    String trimmed = nameOrPath.strip().replaceAll("[/\\\\]+$", "");
    Path p = Path.of(trimmed.replace('\\', '/'));
    Path file = p.getFileName();
    Path parent = p.getParent() == null ? null : p.getParent().getFileName();
    for (Path candidate : new Path[] {file, parent}) {
      if (candidate == null) {
        continue;
      }
      String s = candidate.toString();
      for (int i = 0; i < PRESETS.size(); i++) {
        if (PATTERNS.get(i).matcher(s).find()) {
          return Optional.of(PRESETS.get(i));
        }
      }
    }
    return Optional.empty();
  }
}
