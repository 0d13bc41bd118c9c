package org.humpback.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.model.ModelConfig;
import org.humpback.transforms.model.ModelType;

/**
 * The identity of one way of encoding audio: SHA-256 (hex) of a canonical JSON document holding the
 * model's name and file checksum, the model input/output/signature choices, and every front-end
 * parameter ({@link FrontEndConfig#toCanonicalJson()}), and for TFLite whether hybrid int8 kernels
 * run ({@link ModelConfig#hybridKernels()}).
 *
 * <p>Two encodings with the same signature produce the same numbers, so an existing embedding set
 * with the same (audio file, signature) can be reused instead of recomputed. Things that do not
 * change a single output value (threads, batch size, runner, parallelism) are deliberately left out.
 *
 * <p>The canonical JSON has sorted keys and no whitespace; {@code front_end} is embedded as the
 * parsed canonical object, so key order inside it is sorted too.
 */
public final class EncodingSignature {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Bumped only if the meaning of the canonical document changes (all old signatures become new). */
  static final int SIGNATURE_FORMAT = 1;

  private EncodingSignature() {}

  /**
   * @param modelName the registry's model name
   * @param modelChecksum {@link #modelChecksum(Path)} of the model's file or directory
   * @param model the runtime choices (signature, input, output, input format, transposition)
   * @param frontEnd every front-end parameter
   * @return 64 lowercase hex characters
   */
  public static String compute(String modelName, String modelChecksum, ModelConfig model, FrontEndConfig frontEnd) {
    return sha256Hex(canonicalJson(modelName, modelChecksum, model, frontEnd).getBytes(StandardCharsets.UTF_8));
  }

  /** The document {@link #compute} hashes; shown by tools so users can see what a signature stands for. */
  public static String canonicalJson(String modelName, String modelChecksum, ModelConfig model, FrontEndConfig frontEnd) {
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("Invalid model name: '" + modelName + "' (expected a non-empty name)");
    }
    if (modelChecksum == null || !modelChecksum.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("Invalid model checksum: '" + modelChecksum + "' (expected 64 lowercase hex characters)");
    }
    if (model == null) {
      throw new IllegalArgumentException("Invalid model config: null");
    }
    if (frontEnd == null) {
      throw new IllegalArgumentException("Invalid front-end config: null");
    }
    TreeMap<String, Object> m = new TreeMap<>();
    m.put("format", SIGNATURE_FORMAT);
    m.put("model_name", modelName);
    m.put("model_sha256", modelChecksum);
    m.put("model_type", model.type().wireName());
    m.put("signature_name", model.signatureName());
    m.put("input_name", model.inputName());
    m.put("output_name", model.outputName());
    m.put("input_format", model.inputFormat() == null ? null : model.inputFormat().wireName());
    m.put("transpose_spectrogram", model.transposeSpectrogram());
    if (model.type() == ModelType.TFLITE) {
      // Hybrid int8 kernels and dequantized float weights give different numbers for the same file.
      m.put("tflite_hybrid_kernels", model.hybridKernels());
    }
    try {
      m.put("front_end", JSON.readTree(frontEnd.toCanonicalJson()));
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the signature document", e);
    }
  }

  /**
   * SHA-256 of a model: of the file's bytes, or for a directory (a SavedModel) of every regular file
   * in sorted relative-path order, each contributing its relative path (with '/' separators), a NUL,
   * its length and its bytes, so renaming or moving a file inside the directory changes the checksum.
   */
  public static String modelChecksum(Path model) {
    if (model == null || !Files.exists(model)) {
      throw new IllegalArgumentException("Invalid model path: " + model + " (does not exist)");
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      if (Files.isDirectory(model)) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(model)) {
          files = s.filter(Files::isRegularFile).sorted((a, b) -> relative(model, a).compareTo(relative(model, b))).toList();
        }
        if (files.isEmpty()) {
          throw new IllegalArgumentException("Invalid model path: " + model + " (an empty directory)");
        }
        for (Path f : files) {
          md.update(relative(model, f).getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          md.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.US_ASCII));
          md.update((byte) 0);
          digestFile(md, f);
        }
      } else {
        digestFile(md, model);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model " + model + " to checksum it", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 hex of one file's bytes (used for audio files too). */
  public static String fileSha256(Path file) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      digestFile(md, file);
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " to checksum it", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String relative(Path root, Path f) {
    return root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
  }

  private static void digestFile(MessageDigest md, Path f) throws IOException {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
  }
}
