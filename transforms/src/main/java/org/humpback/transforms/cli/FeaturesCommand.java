package org.humpback.transforms.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.humpback.transforms.audio.AudioDecodeException;
import org.humpback.transforms.audio.AudioDecoder;
import org.humpback.transforms.audio.AudioWindow;
import org.humpback.transforms.audio.FeatureType;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LastWindowPolicy;
import org.humpback.transforms.audio.LogMelSpectrogram;
import org.humpback.transforms.audio.Windower;
import org.humpback.transforms.io.Npy;

/**
 * {@code humpback features}: writes the model-input features of one recording as a NumPy {@code .npy}
 * file, for parity checks against librosa in Python.
 *
 * <p>Output: {@code float32 [n_mels][frames]} for one window ({@code --window-index}), else
 * {@code [windows][n_mels][frames]}; with {@code --waveform} the resampled windows {@code [samples]}
 * or {@code [windows][samples]}. Exit codes: 0 done, 1 the input could not be read or decoded,
 * 2 bad arguments (the message names the flag).
 */
public final class FeaturesCommand {

  static final String USAGE = """
      usage: humpback features <audio file | .npy of float32 samples> --out features.npy [options]

      Writes float32 [n_mels][frames] for one window (--window-index) or [windows][n_mels][frames]
      for all windows; with --waveform the resampled windows, [samples] or [windows][samples].
      A .npy input holds mono samples already at --sample-rate (float32, float64 or int16 scaled by 1/32768).

      options (defaults = librosa melspectrogram(sr=32000, n_fft=2048, hop_length=1252, n_mels=128)
               then power_to_db(ref=np.max, top_db=80), on 5-s windows):
        --out PATH                 output .npy file (required)
        --sample-rate HZ           target sample rate (32000)
        --n-mels N                 mel bands (128)
        --n-fft N                  FFT size (2048)
        --hop-length N             STFT hop in samples (1252)
        --fmin HZ                  lowest mel edge (0)
        --fmax HZ                  highest mel edge (sample_rate/2)
        --frames N                 frames per window, 0 = librosa's natural count (128)
        --power P                  exponent on |STFT| (2.0)
        --db-ref max|VALUE         power_to_db reference (max = per window)
        --amin VALUE               power_to_db floor (1e-10)
        --top-db DB|none           dynamic-range clip below the window's maximum (80)
        --window-s S               window length in seconds (5.0)
        --hop-s S                  hop between windows in seconds (= window)
        --last-window pad|overlap-back|drop   trailing partial window (pad)
        --window-index I           write only window I (0-based)
        --waveform                 write the resampled waveform windows instead of log-mel
      """;

  private FeaturesCommand() {}

  /** Bad command-line input: reported with the usage text and exit code 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** Parsed arguments. */
  record Args(Path input, Path out, FrontEndConfig config, Long windowIndex) {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Args a;
    try {
      if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
        out.print(USAGE);
        return 0;
      }
      a = parse(args);
    } catch (UsageException e) {
      err.println("humpback features: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      return execute(a, out, err);
    } catch (UsageException e) {
      err.println("humpback features: " + e.getMessage());
      return 2;
    } catch (AudioDecodeException e) {
      err.println("humpback features: " + e.getMessage() + " [" + e.reason() + "]");
      return 1;
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      err.println("humpback features: " + e.getMessage());
      return 1;
    }
  }

  static Args parse(String[] args) throws UsageException {
    FrontEndConfig c = FrontEndConfig.defaults();
    Path input = null;
    Path out = null;
    Long windowIndex = null;
    Double windowS = null;
    Double hopS = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        if (input != null) {
          throw new UsageException("unexpected argument '" + arg + "' (the input is already " + input + ")");
        }
        input = Path.of(arg);
        continue;
      }
      String flag = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        flag = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      if (flag.equals("--waveform")) {
        if (inline != null) {
          throw new UsageException("--waveform takes no value");
        }
        c = c.withFeatures(FeatureType.WAVEFORM);
        continue;
      }
      String v;
      if (inline != null) {
        v = inline;
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException(flag + " needs a value");
        }
        v = args[++i];
      }
      try {
        switch (flag) {
          case "--out" -> out = Path.of(v);
          case "--sample-rate" -> c = c.withSampleRate(intArg(flag, v));
          case "--n-mels" -> c = c.withNMels(intArg(flag, v));
          case "--n-fft" -> c = c.withNFft(intArg(flag, v));
          case "--hop-length" -> c = c.withHopLength(intArg(flag, v));
          case "--fmin" -> c = c.withFmin(doubleArg(flag, v));
          case "--fmax" -> c = c.withFmax(doubleArg(flag, v));
          case "--frames" -> c = c.withTargetFrames(intArg(flag, v));
          case "--power" -> c = c.withPower(doubleArg(flag, v));
          case "--db-ref" -> c = c.withDbRef(v.equalsIgnoreCase("max") ? null : doubleArg(flag, v));
          case "--amin" -> c = c.withAmin(doubleArg(flag, v));
          case "--top-db" -> c = c.withTopDb(v.equalsIgnoreCase("none") ? null : doubleArg(flag, v));
          case "--window-s" -> windowS = doubleArg(flag, v);
          case "--hop-s" -> hopS = doubleArg(flag, v);
          case "--last-window" -> c = c.withLastWindow(LastWindowPolicy.fromWireName(v));
          case "--window-index" -> {
            long idx = longArg(flag, v);
            if (idx < 0) {
              throw new UsageException("invalid --window-index: " + v + " (expected >= 0)");
            }
            windowIndex = idx;
          }
          default -> throw new UsageException("unknown option " + flag);
        }
      } catch (IllegalArgumentException e) {
        // FrontEndConfig names its parameter (e.g. "Invalid n_fft: 7"); say which flag carried it.
        throw new UsageException("invalid " + flag + " " + v + ": " + e.getMessage());
      }
    }
    // Window, then hop, after the loop: --hop-s must win over withWindowSeconds's hop-follows-window rule.
    try {
      if (windowS != null) {
        c = c.withWindowSeconds(windowS);
      }
      if (hopS != null) {
        c = c.withHopSeconds(hopS);
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid " + (hopS != null && windowS == null ? "--hop-s" : "--window-s/--hop-s")
          + ": " + e.getMessage());
    }
    if (input == null) {
      throw new UsageException("missing the input file (an audio file or a .npy of samples)");
    }
    if (out == null) {
      throw new UsageException("missing --out <features.npy>");
    }
    return new Args(input, out, c, windowIndex);
  }

  private static int intArg(String flag, String v) throws UsageException {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("invalid " + flag + ": '" + v + "' (expected an integer)");
    }
  }

  private static long longArg(String flag, String v) throws UsageException {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("invalid " + flag + ": '" + v + "' (expected an integer)");
    }
  }

  private static double doubleArg(String flag, String v) throws UsageException {
    try {
      double d = Double.parseDouble(v.trim());
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException("invalid " + flag + ": '" + v + "' (expected a finite number)");
    }
  }

  private static int execute(Args a, PrintStream out, PrintStream err) throws IOException, UsageException {
    if (!Files.isRegularFile(a.input())) {
      throw new UsageException("input file not found: " + a.input());
    }
    FrontEndConfig cfg = a.config();
    boolean waveform = cfg.features() == FeatureType.WAVEFORM;
    LogMelSpectrogram lm = waveform ? null : LogMelSpectrogram.of(cfg);
    int[] itemShape = waveform
        ? new int[] {cfg.windowSamples()}
        : new int[] {cfg.nMels(), lm.outputFrames(cfg.windowSamples())};
    String sourceId = a.input().getFileName().toString();

    AudioDecoder decoder = null;
    try {
      Iterator<AudioWindow> windows;
      if (sourceId.toLowerCase(Locale.ROOT).endsWith(".npy")) {
        float[] samples = readSamples(a.input());
        if (samples.length == 0) {
          throw new IOException(a.input() + ": holds no samples");
        }
        int[] pos = {0};
        Windower.SampleSource source = (buf, off, len) -> {
          if (pos[0] >= samples.length) {
            return -1;
          }
          int n = Math.min(len, samples.length - pos[0]);
          System.arraycopy(samples, pos[0], buf, off, n);
          pos[0] += n;
          return n;
        };
        windows = Windower.over(sourceId, source, cfg).iterator();
      } else {
        decoder = AudioDecoder.open(a.input(), cfg.sampleRate());
        windows = Windower.over(sourceId, decoder, cfg).iterator();
      }
      long written;
      if (a.windowIndex() != null) {
        AudioWindow chosen = null;
        long seen = 0;
        while (windows.hasNext()) {
          AudioWindow w = windows.next();
          seen++;
          if (w.index() == a.windowIndex()) {
            chosen = w;
            break;
          }
        }
        if (chosen == null) {
          throw new UsageException("invalid --window-index: " + a.windowIndex() + " (the input has " + seen
              + " window" + (seen == 1 ? "" : "s") + ", 0 to " + (seen - 1) + ")");
        }
        Npy.writeFloat32(a.out(), features(chosen, lm), itemShape);
        written = 1;
      } else {
        try (Npy.Float32Writer writer = Npy.openFloat32(a.out(), itemShape)) {
          while (windows.hasNext()) {
            writer.append(features(windows.next(), lm));
          }
          written = writer.count();
        }
      }
      if (decoder != null && !decoder.stats().clean()) {
        for (String warning : decoder.stats().warnings()) {
          err.println("humpback features: warning: " + warning);
        }
      }
      out.printf(Locale.ROOT, "wrote %s %s float32 to %s (%s)%n",
          a.windowIndex() != null ? "window " + a.windowIndex() : written + " windows of",
          Arrays.toString(itemShape), a.out(), waveform ? "waveform" : "log-mel dB");
      return 0;
    } catch (UncheckedIOException e) {
      Files.deleteIfExists(a.out());
      throw e.getCause();
    } catch (IOException | RuntimeException e) {
      // Never leave a half-written file that looks like a result.
      Files.deleteIfExists(a.out());
      throw e;
    } finally {
      if (decoder != null) {
        decoder.close();
      }
    }
  }

  private static float[] features(AudioWindow w, LogMelSpectrogram lm) {
    if (lm == null) {
      return w.samples();
    }
    try {
      return lm.computeFlat(w.samples());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("window " + w.index() + " (" + w.startS() + " s): " + e.getMessage(), e);
    }
  }

  /** Mono samples from a .npy file: any shape is flattened in C order; int16 is scaled to [-1, 1). */
  private static float[] readSamples(Path file) throws IOException {
    Npy.NpyArray arr = Npy.read(file);
    if (arr.rank() > 1) {
      long nonUnit = Arrays.stream(arr.shape()).filter(d -> d != 1).count();
      if (nonUnit > 1) {
        throw new IOException(file + ": expected a 1-D array of mono samples, got shape "
            + Arrays.toString(arr.shape()));
      }
    }
    float[] x = arr.toFloats();
    switch (arr.dtype()) {
      case INT16 -> {
        for (int i = 0; i < x.length; i++) {
          x[i] /= 32768f;
        }
      }
      case INT32 -> throw new IOException(file + ": int32 samples are ambiguous; save float32 samples instead");
      default -> { }
    }
    return x;
  }

  /** For tests: the parsed configuration of a command line. */
  static FrontEndConfig configOf(List<String> args) throws UsageException {
    return parse(args.toArray(String[]::new)).config();
  }
}
