package org.humpback.transforms.audio;

import java.util.Objects;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam transforms from audio windows to model-input features.
 *
 * <pre>{@code
 * PCollection<FeatureWindow> features = windows.apply(Features.of(config));   // by config.features()
 * windows.apply(Features.logMel(FrontEndConfig.defaults()));                  // [n_mels, frames] dB
 * windows.apply(Features.waveform().withExpectedSamples(160000));             // [samples]
 * }</pre>
 *
 * <p>Windows that cannot be turned into features (non-finite samples, a waveform of the wrong length)
 * are counted in {@code windowsRejected}, logged with their source and index, and dropped; the job goes on.
 * Counters live in the namespace of this class: {@code logMelWindows}, {@code waveformWindows},
 * {@code windowsRejected}.
 */
public final class Features {

  private static final Logger LOG = LoggerFactory.getLogger(Features.class);

  private Features() {}

  /** Log-mel dB features, shape {@code [n_mels, frames]}, exactly as {@link LogMelSpectrogram#compute}. */
  public static LogMel logMel(FrontEndConfig config) {
    return new LogMel(Objects.requireNonNull(config, "config"));
  }

  /** The window's samples as the feature, shape {@code [samples]}, any length. */
  public static Waveform waveform() {
    return new Waveform(0);
  }

  /**
   * The features {@code config.features()} asks for: {@link #logMel} or {@link #waveform} (which then
   * expects exactly {@code config.windowSamples()} samples per window).
   */
  public static PTransform<PCollection<AudioWindow>, PCollection<FeatureWindow>> of(FrontEndConfig config) {
    Objects.requireNonNull(config, "config");
    return switch (config.features()) {
      case LOG_MEL -> logMel(config);
      case WAVEFORM -> waveform().withExpectedSamples(config.windowSamples());
    };
  }

  /** See {@link #logMel}. Immutable. */
  public static final class LogMel extends PTransform<PCollection<AudioWindow>, PCollection<FeatureWindow>> {
    private final FrontEndConfig config;

    private LogMel(FrontEndConfig config) {
      this.config = config;
    }

    public FrontEndConfig config() {
      return config;
    }

    /** A copy computing with another configuration. */
    public LogMel withConfig(FrontEndConfig config) {
      return new LogMel(Objects.requireNonNull(config, "config"));
    }

    @Override
    public PCollection<FeatureWindow> expand(PCollection<AudioWindow> input) {
      return input.apply("ComputeLogMel", ParDo.of(new LogMelFn(config)))
          .setCoder(WindowCoders.FeatureWindowCoder.of());
    }
  }

  /** See {@link #waveform}. Immutable. */
  public static final class Waveform extends PTransform<PCollection<AudioWindow>, PCollection<FeatureWindow>> {
    private final int expectedSamples;

    private Waveform(int expectedSamples) {
      this.expectedSamples = expectedSamples;
    }

    public int expectedSamples() {
      return expectedSamples;
    }

    /** A copy that rejects windows not holding exactly {@code n} samples; 0 accepts any length. */
    public Waveform withExpectedSamples(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("Invalid expected_samples: " + n + " (expected >= 0, 0 = any length)");
      }
      return new Waveform(n);
    }

    @Override
    public PCollection<FeatureWindow> expand(PCollection<AudioWindow> input) {
      return input.apply("WaveformFeatures", ParDo.of(new WaveformFn(expectedSamples)))
          .setCoder(WindowCoders.FeatureWindowCoder.of());
    }
  }

  /** Holds only the configuration; the (non-thread-safe) front end is built per DoFn instance in {@code @Setup}. */
  static final class LogMelFn extends DoFn<AudioWindow, FeatureWindow> {
    private final FrontEndConfig config;
    private final Counter computed = Metrics.counter(Features.class, "logMelWindows");
    private final Counter rejected = Metrics.counter(Features.class, "windowsRejected");
    private transient LogMelSpectrogram frontEnd;

    LogMelFn(FrontEndConfig config) {
      this.config = config;
    }

    @Setup
    public void setup() {
      frontEnd = LogMelSpectrogram.of(config);
    }

    @ProcessElement
    public void process(@Element AudioWindow w, OutputReceiver<FeatureWindow> out) {
      float[] values;
      try {
        values = frontEnd.computeFlat(w.samples());
      } catch (IllegalArgumentException e) {
        rejected.inc();
        LOG.warn("Dropping window {} #{} ({}-{} s): {}", w.sourceId(), w.index(), w.startS(), w.endS(), e.getMessage());
        return;
      }
      int[] shape = {config.nMels(), frontEnd.outputFrames(w.samples().length)};
      out.output(new FeatureWindow(w.sourceId(), w.index(), w.startS(), w.endS(), shape, values));
      computed.inc();
    }
  }

  static final class WaveformFn extends DoFn<AudioWindow, FeatureWindow> {
    private final int expectedSamples;
    private final Counter computed = Metrics.counter(Features.class, "waveformWindows");
    private final Counter rejected = Metrics.counter(Features.class, "windowsRejected");

    WaveformFn(int expectedSamples) {
      this.expectedSamples = expectedSamples;
    }

    @ProcessElement
    public void process(@Element AudioWindow w, OutputReceiver<FeatureWindow> out) {
      float[] s = w.samples();
      if (expectedSamples > 0 && s.length != expectedSamples) {
        rejected.inc();
        LOG.warn("Dropping window {} #{}: {} samples, expected {}", w.sourceId(), w.index(), s.length, expectedSamples);
        return;
      }
      // The input array is never mutated, so the feature may share it.
      out.output(new FeatureWindow(w.sourceId(), w.index(), w.startS(), w.endS(), new int[] {s.length}, s));
      computed.inc();
    }
  }
}
