package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AudioDecoderTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"8,false,0.01", "16,false,1e-4", "24,false,1e-6", "32,false,1e-6", "32,true,0", "64,true,0"})
  void wavSampleFormatsDecodeToTheSameValues(int bits, boolean isFloat, double tol) throws Exception {
    float[] x = TestAudio.sine(8000, 8000, 440, 0.5);
    Path f = TestAudio.write(dir, "s" + bits + isFloat + ".wav", TestAudio.wav(x, 1, 8000, bits, isFloat));
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      assertEquals(8000, d.info().sampleRate());
      assertEquals(1, d.info().channels());
      assertEquals(1.0, d.info().durationSeconds(), 1e-9);
      float[] y = d.readAll();
      assertEquals(x.length, y.length);
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], tol + 1e-7, "sample " + i);
      }
      assertTrue(d.stats().clean(), d.stats().toString());
    }
  }

  @Test
  void resamplingKeepsInBandToneAndRejectsAliases() throws Exception {
    int in = 44100;
    float[] tone = TestAudio.sine(in * 2, in, 1000, 0.5);
    float[] alias = TestAudio.sine(in * 2, in, 20000, 0.5); // above the 16 kHz Nyquist of 32 kHz
    float[] y1 = TestAudio.decodeAll(TestAudio.write(dir, "t.wav", TestAudio.wav(tone, 1, in, 32, true)), 32000);
    float[] y2 = TestAudio.decodeAll(TestAudio.write(dir, "a.wav", TestAudio.wav(alias, 1, in, 32, true)), 32000);
    assertEquals(64000, y1.length);
    assertEquals(64000, y2.length);
    // the output is time-aligned with the input: compare against the ideal 32 kHz sine
    float[] ideal = TestAudio.sine(64000, 32000, 1000, 0.5);
    for (int i = 200; i < 63800; i++) {
      assertEquals(ideal[i], y1[i], 2e-3, "sample " + i);
    }
    double aliasDb = 20 * Math.log10(TestAudio.rms(y2, 200, 63800) / (0.5 / Math.sqrt(2)));
    assertTrue(aliasDb < -70, "alias level " + aliasDb + " dB");
  }

  @Test
  void stereoIsAveragedToMono() throws Exception {
    int n = 4000;
    float[] inter = new float[2 * n];
    float[] l = TestAudio.sine(n, 8000, 300, 0.6);
    float[] r = TestAudio.sine(n, 8000, 700, 0.2);
    for (int i = 0; i < n; i++) {
      inter[2 * i] = l[i];
      inter[2 * i + 1] = r[i];
    }
    float[] y = TestAudio.decodeAll(TestAudio.write(dir, "st.wav", TestAudio.wav(inter, 2, 8000, 32, true)), 0);
    assertEquals(n, y.length);
    for (int i = 0; i < n; i++) {
      assertEquals((l[i] + r[i]) / 2, y[i], 1e-6);
    }
  }

  @Test
  void sixChannelsAreAveragedWithEqualWeights() throws Exception {
    int n = 2000;
    float[] inter = new float[6 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 6; c++) {
        inter[6 * i + c] = 0.1f * (c + 1) * (i % 2 == 0 ? 1 : -1);
      }
    }
    Path f = TestAudio.write(dir, "six.wav", TestAudio.wav(inter, 6, 16000, 16, false));
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      assertEquals(6, d.info().channels());
      float[] y = d.readAll();
      assertEquals(n, y.length);
      for (int i = 0; i < n; i++) {
        assertEquals(0.35f * (i % 2 == 0 ? 1 : -1), y[i], 1e-4, "sample " + i); // mean of 0.1..0.6
      }
    }
  }

  @Test
  void moreChannelsThanTheLimitAreRefused() throws Exception {
    int ch = AudioDecoder.MAX_CHANNELS + 1;
    Path f = TestAudio.write(dir, "many.wav", TestAudio.wav(new float[ch * 100], ch, 8000, 16, false));
    AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.open(f, 0));
    // FFmpeg's WAV reader itself may refuse such a header; either way the user learns it is the channel count
    assertTrue(e.reason() == AudioDecodeException.Reason.TOO_MANY_CHANNELS, e.reason() + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("65 channels"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mp3", "flac", "ogg"})
  void compressedFormatsAreGaplessAndClose(String ext) throws Exception {
    int rate = 44100;
    float[] x = TestAudio.sine(rate * 3, rate, 440, 0.5);
    Path wav = TestAudio.write(dir, "src.wav", TestAudio.wav(x, 1, rate, 16, false));
    Path f = ext.equals("ogg")
        ? TestAudio.encode(wav, dir.resolve("x.ogg"))
        : TestAudio.encode(wav, dir.resolve("x." + ext));
    float[] y = TestAudio.decodeAll(f, 0);
    if (!ext.equals("ogg")) {
      // MP3 gapless (LAME delay/padding honoured) and FLAC: exactly the source length
      assertEquals(x.length, y.length, ext);
    } else {
      assertEquals(x.length, y.length, 2048, ext);
    }
    double err = 0;
    for (int i = 4096; i < x.length - 4096; i++) {
      err += (x[i] - y[i]) * (double) (x[i] - y[i]);
    }
    double snr = 10 * Math.log10(TestAudio.rms(x, 4096, x.length - 4096) * TestAudio.rms(x, 4096, x.length - 4096)
        / (err / (x.length - 8192)));
    // FFmpeg's built-in Vorbis encoder (the only one bundled) is crude, ~10 dB SNR on a pure tone even
    // when perfectly aligned; a one-sample misalignment of a 440 Hz tone would already cost more.
    double minSnr = switch (ext) {
      case "flac" -> 80;
      case "mp3" -> 15;
      default -> 8;
    };
    assertTrue(snr > minSnr, ext + " SNR " + snr + " dB (misaligned or wrong gain?)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"wav", "mp3", "flac", "ogg"})
  void startOffsetMatchesWholeFileDecode(String ext) throws Exception {
    int rate = 44100;
    float[] x = new float[rate * 8];
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 523 * i / rate) + 0.05 * rnd.nextGaussian());
    }
    Path wav = TestAudio.write(dir, "src.wav", TestAudio.wav(x, 1, rate, 16, false));
    Path f = switch (ext) {
      case "wav" -> wav;
      case "ogg" -> TestAudio.encode(wav, dir.resolve("x.ogg"));
      default -> TestAudio.encode(wav, dir.resolve("x." + ext));
    };
    float[] whole = TestAudio.decodeAll(f, 32000);
    for (double start : new double[] {0.01, 1.0, 2.5, 5.0000625, 7.3}) {
      try (AudioDecoder d = AudioDecoder.open(f, 32000, start)) {
        float[] part = d.readAll();
        int off = (int) Math.round(start * 32000);
        assertEquals(whole.length - off, part.length, ext + " start " + start);
        for (int i = 0; i < part.length; i++) {
          assertEquals(whole[off + i], part[i], 1e-6, ext + " start " + start + " sample " + i);
        }
      }
    }
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void zeroByteFile() throws Exception {
    Path f = TestAudio.write(dir, "empty.wav", new byte[0]);
    AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.open(f, 32000));
    assertEquals(AudioDecodeException.Reason.EMPTY_FILE, e.reason());
    assertEquals(f.toString(), e.file());
    assertTrue(e.getMessage().contains("empty.wav") && e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void textFileNamedWav() throws Exception {
    Path f = TestAudio.write(dir, "notes.wav", "station 4, 2019-07-02\nhumpback song heard at 03:12\n".repeat(20).getBytes());
    AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.open(f, 32000));
    assertEquals(AudioDecodeException.Reason.NOT_AUDIO, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("notes.wav") && e.getMessage().contains("not"), e.getMessage());
  }

  @Test
  void missingFile() {
    AudioDecodeException e = assertThrows(AudioDecodeException.class,
        () -> AudioDecoder.open(dir.resolve("nope.wav"), 32000));
    assertEquals(AudioDecodeException.Reason.IO, e.reason());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void truncatedMp3DecodesWhatIsThereAndWarns() throws Exception {
    float[] x = TestAudio.sine(44100 * 4, 44100, 440, 0.5);
    Path wav = TestAudio.write(dir, "src.wav", TestAudio.wav(x, 1, 44100, 16, false));
    Path mp3 = TestAudio.encode(wav, dir.resolve("full.mp3"));
    byte[] all = java.nio.file.Files.readAllBytes(mp3);
    Path cut = TestAudio.write(dir, "cut.mp3", java.util.Arrays.copyOf(all, all.length / 2 + 77));
    try (AudioDecoder d = AudioDecoder.open(cut, 32000)) {
      float[] y = d.readAll();
      assertTrue(y.length > 32000 * 1.5 && y.length < 32000 * 2.5, "decoded " + y.length);
      DecodeStats s = d.stats();
      assertTrue(s.truncated(), s.toString());
      assertFalse(s.warnings().isEmpty());
      assertTrue(String.join(";", s.warnings()).contains("truncated"), s.warnings().toString());
    }
  }

  @Test
  void wavHeaderClaimingMoreDataThanPresent() throws Exception {
    float[] x = TestAudio.sine(16000, 16000, 440, 0.5);
    byte[] full = TestAudio.wav(x, 1, 16000, 16, false);
    byte[] data = java.util.Arrays.copyOfRange(full, 44, full.length);
    // header says 3 s of data, the file holds 1 s
    Path f = TestAudio.write(dir, "short.wav", TestAudio.wavBytes(data, 1, 16000, 16, false, 3L * data.length));
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      assertEquals(1.0, d.info().durationSeconds(), 0.01); // FFmpeg reports what is there
      float[] y = d.readAll();
      assertEquals(16000, y.length);
      assertEquals(x[1234], y[1234], 1e-4);
      assertTrue(d.stats().truncated(), d.stats().toString());
      assertTrue(String.join(";", d.stats().warnings()).contains("3.000 s"), d.stats().warnings().toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void impossibleSampleRateInHeader(int rate) throws Exception {
    byte[] data = new byte[2000];
    Path f = TestAudio.write(dir, "rate" + rate + ".wav", TestAudio.wavBytes(data, 1, rate, 16, false, data.length));
    AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.open(f, 32000));
    assertEquals(AudioDecodeException.Reason.BAD_SAMPLE_RATE, e.reason());
    assertTrue(e.getMessage().contains(rate + " Hz"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 50, 3_000_000})
  void invalidTargetRate(int target) throws Exception {
    Path f = TestAudio.write(dir, "ok.wav", TestAudio.wav(new float[100], 1, 8000, 16, false));
    AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioDecoder.open(f, target));
    assertEquals(AudioDecodeException.Reason.BAD_SAMPLE_RATE, e.reason());
    assertTrue(e.getMessage().contains("target sample rate " + target), e.getMessage());
  }

  @Test
  void nanAndInfSamplesAreReplacedByZeroAndCounted() throws Exception {
    float[] x = TestAudio.sine(8000, 8000, 100, 0.5);
    x[10] = Float.NaN;
    x[20] = Float.POSITIVE_INFINITY;
    x[30] = Float.NEGATIVE_INFINITY;
    Path f = TestAudio.write(dir, "nan.wav", TestAudio.wav(x, 1, 8000, 32, true));
    try (AudioDecoder d = AudioDecoder.open(f, 16000)) {
      float[] y = d.readAll();
      for (float v : y) {
        assertTrue(Float.isFinite(v));
      }
      assertEquals(3, d.stats().nonFiniteReplaced());
      assertTrue(d.stats().warnings().get(0).contains("NaN"));
    }
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      float[] y = d.readAll();
      assertEquals(0f, y[10]);
      assertEquals(0f, y[20]);
      assertEquals(x[11], y[11]);
    }
  }

  @Test
  void probeReportsTheFilesOwnParameters() throws Exception {
    Path f = TestAudio.write(dir, "p.wav", TestAudio.wav(new float[3 * 22050 * 2], 2, 22050, 24, false));
    AudioInfo info = AudioDecoder.probe(f);
    assertEquals(new AudioInfo("wav", "pcm_s24le", 22050, 2, 3.0, 66150), info);
  }

  @Test
  void startBeyondTheEndGivesNothingAndNoWarning() throws Exception {
    float[] x = TestAudio.sine(44100 * 3, 44100, 440, 0.5);
    Path wav = TestAudio.write(dir, "b.wav", TestAudio.wav(x, 1, 44100, 16, false));
    for (Path f : new Path[] {wav, TestAudio.encode(wav, dir.resolve("b.mp3")), TestAudio.encode(wav, dir.resolve("b.flac"))}) {
      try (AudioDecoder d = AudioDecoder.open(f, 32000, 10.0)) {
        assertEquals(-1, d.read(new float[100], 0, 100), f.toString());
        assertTrue(d.stats().clean(), f + ": " + d.stats());
      }
    }
  }

  @Test
  void readAfterEndKeepsReturningMinusOne() throws Exception {
    Path f = TestAudio.write(dir, "r.wav", TestAudio.wav(new float[100], 1, 8000, 16, false));
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      float[] buf = new float[1000];
      assertEquals(100, d.read(buf, 0, 1000));
      assertEquals(-1, d.read(buf, 0, 1000));
      assertEquals(-1, d.read(buf, 0, 1000));
      assertArrayEquals(new float[100], java.util.Arrays.copyOf(buf, 100));
    }
  }
}
