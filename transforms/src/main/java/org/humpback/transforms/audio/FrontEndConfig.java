package org.humpback.transforms.audio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every parameter of the audio front end, from resampling to the model-input features.
 *
 * <p>This one value type is what {@code EncodingSignature} hashes, so every field that changes a
 * single output number must live here. Defaults equal librosa's
 * {@code melspectrogram(sr=32000, n_mels=128, n_fft=2048, hop_length=1252)} followed by
 * {@code power_to_db(ref=np.max, top_db=80)}, on 5-s windows with hop = window and the last partial
 * window zero-padded.
 *
 * <p>Immutable: each {@code withX} returns a changed, validated copy.
 *
 * @param sampleRate target sample rate in Hz, the model's rate (default 32000)
 * @param windowSeconds window length in seconds (default 5.0)
 * @param hopSeconds distance between window starts in seconds (default = window)
 * @param lastWindow what to do with the trailing partial window
 * @param features log-mel spectrogram or raw waveform
 * @param nFft FFT size (default 2048)
 * @param hopLength STFT hop in samples (default 1252: 128 frames per 5 s at 32 kHz)
 * @param nMels number of mel bands (default 128)
 * @param fmin lowest mel edge in Hz (default 0)
 * @param fmax highest mel edge in Hz; {@code null} means sampleRate / 2
 * @param power exponent on |STFT| (2 = power, 1 = magnitude)
 * @param dbRef {@code null} means librosa's {@code ref=np.max} (per window); otherwise a constant reference
 * @param amin floor of power_to_db (librosa default 1e-10)
 * @param topDb dynamic-range clip below the window's maximum dB; {@code null} means no clipping
 * @param targetFrames frames handed to the model; extra frames are cut from the end, missing frames
 *     are appended at the end holding the window's minimum dB value; 0 keeps the natural count
 * @param frameHopSeconds for a waveform model whose fixed input is shorter than the window (YAMNet's
 *     0.975 s in a 5-s window): the window is cut into model-input-long frames this far apart, each
 *     frame is embedded and the window's vector is the mean of its frames' vectors, as YAMNet users
 *     average its per-frame embeddings over a clip; {@code null} (the default) feeds the window whole
 */
public record FrontEndConfig(
    int sampleRate,
    double windowSeconds,
    double hopSeconds,
    LastWindowPolicy lastWindow,
    FeatureType features,
    int nFft,
    int hopLength,
    int nMels,
    double fmin,
    Double fmax,
    double power,
    Double dbRef,
    double amin,
    Double topDb,
    int targetFrames,
    Double frameHopSeconds)
    implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public FrontEndConfig {
    if (lastWindow == null) {
      lastWindow = LastWindowPolicy.PAD;
    }
    if (features == null) {
      features = FeatureType.LOG_MEL;
    }
    require(sampleRate >= 100 && sampleRate <= 768_000, "sample_rate", sampleRate, "between 100 and 768000 Hz");
    require(windowSeconds > 0 && Double.isFinite(windowSeconds), "window_seconds", windowSeconds, "> 0");
    require(hopSeconds > 0 && Double.isFinite(hopSeconds), "hop_seconds", hopSeconds, "> 0");
    require(nFft >= 16 && nFft <= (1 << 20), "n_fft", nFft, "between 16 and 1048576");
    require(hopLength >= 1, "hop_length", hopLength, ">= 1");
    require(nMels >= 1 && nMels <= 4096, "n_mels", nMels, "between 1 and 4096");
    require(fmin >= 0 && Double.isFinite(fmin), "fmin", fmin, ">= 0");
    double nyquist = sampleRate / 2.0;
    if (fmax != null) {
      require(fmax > fmin && fmax <= nyquist, "fmax", fmax, "> fmin (" + fmin + ") and <= sample_rate/2 (" + nyquist + ")");
    } else {
      require(fmin < nyquist, "fmin", fmin, "< sample_rate/2 (" + nyquist + ")");
    }
    require(power > 0 && Double.isFinite(power), "power", power, "> 0");
    if (dbRef != null) {
      require(dbRef > 0 && Double.isFinite(dbRef), "db_ref", dbRef, "'max' or a positive number");
    }
    require(amin > 0 && Double.isFinite(amin), "amin", amin, "> 0");
    if (topDb != null) {
      require(topDb >= 0 && Double.isFinite(topDb), "top_db", topDb, ">= 0 or null");
    }
    require(targetFrames >= 0, "target_frames", targetFrames, ">= 0 (0 = natural frame count)");
    if (frameHopSeconds != null) {
      require(frameHopSeconds > 0 && Double.isFinite(frameHopSeconds) && Math.round(frameHopSeconds * sampleRate) >= 1,
          "frame_hop_seconds", frameHopSeconds, "> 0 and at least one sample, or null");
    }
    require(windowSamples(sampleRate, windowSeconds) >= 1, "window_seconds", windowSeconds, "at least one sample long");
  }

  /** Every parameter but {@code frameHopSeconds} (left unset: the window is the model input). */
  public FrontEndConfig(int sampleRate, double windowSeconds, double hopSeconds, LastWindowPolicy lastWindow,
      FeatureType features, int nFft, int hopLength, int nMels, double fmin, Double fmax, double power, Double dbRef,
      double amin, Double topDb, int targetFrames) {
    this(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef,
        amin, topDb, targetFrames, null);
  }

  /** The project defaults (see the class comment). */
  public static FrontEndConfig defaults() {
    return new FrontEndConfig(32000, 5.0, 5.0, LastWindowPolicy.PAD, FeatureType.LOG_MEL,
        2048, 1252, 128, 0.0, null, 2.0, null, 1e-10, 80.0, 128);
  }

  private static void require(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException("Invalid " + name + ": " + value + " (expected " + expected + ")");
    }
  }

  private static int windowSamples(int rate, double seconds) {
    return (int) Math.round(seconds * rate);
  }

  /** Window length in samples at the target rate. */
  public int windowSamples() {
    return windowSamples(sampleRate, windowSeconds);
  }

  /** Hop between window starts in samples at the target rate. */
  public int hopSamples() {
    return Math.max(1, (int) Math.round(hopSeconds * sampleRate));
  }

  /** The frame hop in samples at the target rate, or 0 when windows are fed whole. */
  public int frameHopSamples() {
    return frameHopSeconds == null ? 0 : (int) Math.round(frameHopSeconds * sampleRate);
  }

  /** fmax with the {@code null = Nyquist} rule applied. */
  public double effectiveFmax() {
    return fmax == null ? sampleRate / 2.0 : fmax;
  }

  /**
   * librosa's frame count for one window with center=True: {@code 1 + (len + 2*(n_fft//2) - n_fft) // hop},
   * which is {@code 1 + len // hop} for an even n_fft.
   */
  public int naturalFrames() {
    return 1 + (windowSamples() + 2 * (nFft / 2) - nFft) / hopLength;
  }

  /** Frames handed to the model: targetFrames, or the natural count when it is 0. */
  public int outputFrames() {
    return targetFrames == 0 ? naturalFrames() : targetFrames;
  }

  public FrontEndConfig withSampleRate(int v) { return new FrontEndConfig(v, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  /** Changes the window; the hop follows when it equalled the old window (hop = window stays the rule). */
  public FrontEndConfig withWindowSeconds(double v) { return new FrontEndConfig(sampleRate, v, hopSeconds == windowSeconds ? v : hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withHopSeconds(double v) { return new FrontEndConfig(sampleRate, windowSeconds, v, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withLastWindow(LastWindowPolicy v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, v, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withFeatures(FeatureType v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, v, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withNFft(int v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, v, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withHopLength(int v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, v, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withNMels(int v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, v, fmin, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withFmin(double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, v, fmax, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withFmax(Double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, v, power, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withPower(double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, v, dbRef, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withDbRef(Double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, v, amin, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withAmin(double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, v, topDb, targetFrames, frameHopSeconds); }
  public FrontEndConfig withTopDb(Double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, v, targetFrames, frameHopSeconds); }
  /** Frame pooling for waveform models with a shorter fixed input (see the class comment); null = off. */
  public FrontEndConfig withFrameHopSeconds(Double v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, targetFrames, v); }
  public FrontEndConfig withTargetFrames(int v) { return new FrontEndConfig(sampleRate, windowSeconds, hopSeconds, lastWindow, features, nFft, hopLength, nMels, fmin, fmax, power, dbRef, amin, topDb, v, frameHopSeconds); }

  /**
   * Canonical JSON: snake_case keys in sorted order, {@code fmax} resolved to a number, {@code db_ref}
   * as {@code "max"} or a number. Equal configurations give byte-equal strings, which is what the
   * encoding signature relies on.
   */
  public String toCanonicalJson() {
    TreeMap<String, Object> m = new TreeMap<>();
    m.put("sample_rate", sampleRate);
    m.put("window_seconds", windowSeconds);
    m.put("hop_seconds", hopSeconds);
    m.put("last_window", lastWindow.wireName());
    m.put("features", features.wireName());
    m.put("n_fft", nFft);
    m.put("hop_length", hopLength);
    m.put("n_mels", nMels);
    m.put("fmin", fmin);
    m.put("fmax", effectiveFmax());
    m.put("power", power);
    m.put("db_ref", dbRef == null ? "max" : dbRef);
    m.put("amin", amin);
    m.put("top_db", topDb);
    m.put("target_frames", targetFrames);
    if (frameHopSeconds != null) {
      m.put("frame_hop_seconds", frameHopSeconds); // only when set: older signatures stay what they were
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a JSON object of front-end parameters on top of {@code base}. Keys are the snake_case
   * names of {@link #toCanonicalJson()}; aliases {@code window_size_seconds} and
   * {@code target_sample_rate} (the seed's job fields) are accepted. Unknown keys are refused with
   * their name, so a typo never silently changes nothing.
   */
  public static FrontEndConfig fromJson(String json, FrontEndConfig base) {
    if (json == null || json.isBlank()) {
      return base;
    }
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Invalid front-end config JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isNull()) {
      return base;
    }
    if (!(node instanceof ObjectNode obj)) {
      throw new IllegalArgumentException("Invalid front-end config: expected a JSON object, got " + node.getNodeType());
    }
    FrontEndConfig c = base;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      c = switch (k) {
        case "sample_rate", "target_sample_rate" -> c.withSampleRate(intValue(k, v));
        case "window_seconds", "window_size_seconds" -> c.withWindowSeconds(doubleValue(k, v));
        case "hop_seconds" -> c.withHopSeconds(doubleValue(k, v));
        case "last_window" -> c.withLastWindow(LastWindowPolicy.fromWireName(textValue(k, v)));
        case "features", "input_format" -> c.withFeatures(FeatureType.fromWireName(textValue(k, v)));
        case "n_fft" -> c.withNFft(intValue(k, v));
        case "hop_length" -> c.withHopLength(intValue(k, v));
        case "n_mels" -> c.withNMels(intValue(k, v));
        case "fmin" -> c.withFmin(doubleValue(k, v));
        case "fmax" -> c.withFmax(v.isNull() ? null : doubleValue(k, v));
        case "power" -> c.withPower(doubleValue(k, v));
        case "db_ref", "ref" -> c.withDbRef(v.isNull() || (v.isTextual() && v.asText().equalsIgnoreCase("max")) ? null : doubleValue(k, v));
        case "amin" -> c.withAmin(doubleValue(k, v));
        case "top_db" -> c.withTopDb(v.isNull() ? null : doubleValue(k, v));
        case "target_frames", "frames" -> c.withTargetFrames(intValue(k, v));
        case "frame_hop_seconds" -> c.withFrameHopSeconds(v.isNull() ? null : doubleValue(k, v));
        default -> throw new IllegalArgumentException("Unknown front-end parameter: '" + k + "'");
      };
    }
    return c;
  }

  private static int intValue(String key, JsonNode v) {
    if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
      throw new IllegalArgumentException("Invalid " + key + ": expected an integer, got " + v);
    }
    return v.asInt();
  }

  private static double doubleValue(String key, JsonNode v) {
    if (!v.isNumber()) {
      throw new IllegalArgumentException("Invalid " + key + ": expected a number, got " + v);
    }
    return v.asDouble();
  }

  private static String textValue(String key, JsonNode v) {
    if (!v.isTextual()) {
      throw new IllegalArgumentException("Invalid " + key + ": expected a string, got " + v);
    }
    return v.asText();
  }
}
