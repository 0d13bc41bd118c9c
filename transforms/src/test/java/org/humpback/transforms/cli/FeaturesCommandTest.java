package org.humpback.transforms.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.humpback.transforms.audio.FrontEndConfig;
import org.humpback.transforms.audio.LastWindowPolicy;
import org.humpback.transforms.audio.LogMelSpectrogram;
import org.humpback.transforms.io.Npy;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeaturesCommandTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  private int run(String... args) {
    stdout.reset();
    stderr.reset();
    return FeaturesCommand.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  private static float[] goldenF32(String relative) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(SharedCorpus.golden(relative))).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  private Path goldenInputAsNpy(String name) throws IOException {
    float[] x = goldenF32("inputs/" + name + ".f32");
    Path npy = dir.resolve(name + ".npy");
    Npy.write(npy, x);
    return npy;
  }

  private static void assertClose(float[] golden, float[] actual, double tol, String what) {
    assertEquals(golden.length, actual.length, what + ": size");
    double maxErr = 0;
    for (int i = 0; i < golden.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(golden[i] - actual[i]));
    }
    assertTrue(maxErr <= tol, what + ": max |error| " + maxErr);
  }

  @ParameterizedTest
  @ValueSource(strings = {"chirp", "tones_noise", "silence", "impulse", "humpback"})
  void cfg1FromNpyEqualsLibrosa(String name) throws IOException {
    Path in = goldenInputAsNpy(name);
    Path out = dir.resolve(name + ".mel.npy");
    assertEquals(0, run(in.toString(), "--window-index", "0", "--out", out.toString()), err());
    Npy.NpyArray a = Npy.read(out);
    assertArrayEquals(new int[] {128, 128}, a.shape());
    assertClose(goldenF32("cfg1/" + name + ".mel_db.f32"), a.toFloats(), 5e-5, "cfg1 " + name);

    // Without --window-index: all windows, [1][128][128] for this 5-s input.
    Path all = dir.resolve(name + ".all.npy");
    assertEquals(0, run(in.toString(), "--out=" + all));
    assertArrayEquals(new int[] {1, 128, 128}, Npy.read(all).shape());
    assertArrayEquals(a.toFloats(), Npy.read(all).toFloats());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chirp", "tones_noise", "humpback"})
  void cfg2FlagsEqualLibrosa(String name) throws IOException {
    Path in = goldenInputAsNpy(name);
    Path out = dir.resolve(name + ".cfg2.npy");
    assertEquals(0, run(in.toString(), "--n-fft", "1024", "--hop-length", "320", "--fmin", "60", "--fmax", "16000",
        "--db-ref", "1.0", "--top-db", "80", "--frames", "0", "--window-index", "0", "--out", out.toString()), err());
    Npy.NpyArray a = Npy.read(out);
    assertArrayEquals(new int[] {128, 501}, a.shape());
    assertClose(goldenF32("cfg2/" + name + ".mel_db.f32"), a.toFloats(), 5e-5, "cfg2 " + name);
  }

  @Test
  void longInputGivesAllWindowsAndWaveforms() throws IOException {
    // 12 s at 32 kHz: windows at 0, 5 and 10 s; the last is zero-padded (pad) or ends at 12 s (overlap-back).
    float[] x = new float[12 * 32000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (300 + i / 400.0) * i / 32000.0));
    }
    Path in = dir.resolve("long.npy");
    Npy.write(in, x);
    Path out = dir.resolve("long.mel.npy");
    assertEquals(0, run(in.toString(), "--out", out.toString()), err());
    Npy.NpyArray all = Npy.read(out);
    assertArrayEquals(new int[] {3, 128, 128}, all.shape());
    float[] tail = new float[160000];
    System.arraycopy(x, 320000, tail, 0, 64000);
    float[] expectedTail = LogMelSpectrogram.of(FrontEndConfig.defaults()).computeFlat(tail);
    assertArrayEquals(expectedTail, Arrays.copyOfRange(all.toFloats(), 2 * 128 * 128, 3 * 128 * 128));

    Path wave = dir.resolve("long.wave.npy");
    assertEquals(0, run(in.toString(), "--waveform", "--last-window", "overlap-back", "--out", wave.toString()), err());
    Npy.NpyArray w = Npy.read(wave);
    assertArrayEquals(new int[] {3, 160000}, w.shape());
    assertArrayEquals(Arrays.copyOfRange(x, 224000, 384000), Arrays.copyOfRange(w.toFloats(), 320000, 480000));

    Path one = dir.resolve("one.wave.npy");
    assertEquals(0, run(in.toString(), "--waveform", "--window-index", "1", "--window-s", "2", "--hop-s", "1",
        "--last-window", "drop", "--out", one.toString()), err());
    Npy.NpyArray o = Npy.read(one);
    assertArrayEquals(new int[] {64000}, o.shape());
    assertArrayEquals(Arrays.copyOfRange(x, 32000, 96000), o.toFloats());
  }

  /** A 16-bit PCM mono WAV at 32 kHz, so that decoding involves no resampling. */
  private static Path writeWav(Path file, short[] pcm) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * pcm.length).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(32000).putInt(64000).putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * pcm.length);
    for (short s : pcm) {
      b.putShort(s);
    }
    Files.write(file, b.array());
    return file;
  }

  @Test
  void audioFileGoesThroughTheDecoder() throws IOException {
    short[] pcm = new short[7 * 32000];
    float[] asFloat = new float[pcm.length];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (short) Math.round(8000 * Math.sin(2 * Math.PI * 1000 * i / 32000.0));
      asFloat[i] = pcm[i] / 32768f;
    }
    Path wav = writeWav(dir.resolve("tone.wav"), pcm);
    Path out = dir.resolve("tone.npy");
    assertEquals(0, run(wav.toString(), "--out", out.toString()), err());
    Npy.NpyArray a = Npy.read(out);
    assertArrayEquals(new int[] {2, 128, 128}, a.shape());
    float[] expected = LogMelSpectrogram.of(FrontEndConfig.defaults()).computeFlat(Arrays.copyOf(asFloat, 160000));
    assertClose(expected, Arrays.copyOf(a.toFloats(), 128 * 128), 1e-4, "decoded window 0");
  }

  @Test
  void parsesEveryOption() throws Exception {
    FrontEndConfig c = FeaturesCommand.configOf(List.of("in.npy", "--sample-rate", "16000", "--n-mels", "64",
        "--n-fft", "512", "--hop-length", "160", "--fmin", "50", "--fmax", "7000", "--frames", "0", "--power", "1",
        "--db-ref", "2.5", "--amin", "1e-5", "--top-db", "none", "--window-s", "3", "--hop-s", "1.5",
        "--last-window", "drop", "--out", "o.npy"));
    assertEquals(16000, c.sampleRate());
    assertEquals(64, c.nMels());
    assertEquals(512, c.nFft());
    assertEquals(160, c.hopLength());
    assertEquals(50.0, c.fmin());
    assertEquals(7000.0, c.fmax());
    assertEquals(0, c.targetFrames());
    assertEquals(1.0, c.power());
    assertEquals(2.5, c.dbRef());
    assertEquals(1e-5, c.amin());
    assertNull(c.topDb());
    assertEquals(3.0, c.windowSeconds());
    assertEquals(1.5, c.hopSeconds());
    assertEquals(LastWindowPolicy.DROP, c.lastWindow());
    // --hop-s before --window-s still wins.
    assertEquals(1.0, FeaturesCommand.configOf(List.of("i.npy", "--hop-s", "1", "--window-s", "4", "--out", "o")).hopSeconds());
    assertNull(FeaturesCommand.configOf(List.of("i.npy", "--db-ref", "max", "--out", "o")).dbRef());
  }

  @Test
  void badArgumentsExitWithCode2NamingTheFlag() throws IOException {
    Path in = dir.resolve("x.npy");
    Npy.write(in, new float[32000]);
    String o = dir.resolve("o.npy").toString();
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {in.toString(), "--n-fft", "abc", "--out", o});
    cases.add(new String[] {in.toString(), "--n-fft", "4", "--out", o});
    cases.add(new String[] {in.toString(), "--fmax", "20000", "--out", o});
    cases.add(new String[] {in.toString(), "--top-db", "-1", "--out", o});
    cases.add(new String[] {in.toString(), "--db-ref", "loud", "--out", o});
    cases.add(new String[] {in.toString(), "--last-window", "wrap", "--out", o});
    cases.add(new String[] {in.toString(), "--window-index", "-1", "--out", o});
    cases.add(new String[] {in.toString(), "--window-index", "3", "--out", o});
    cases.add(new String[] {in.toString(), "--frames"});
    cases.add(new String[] {in.toString(), "--bogus", "1", "--out", o});
    cases.add(new String[] {in.toString()});
    cases.add(new String[] {"--out", o});
    cases.add(new String[] {dir.resolve("missing.npy").toString(), "--out", o});
    String[] expectedWords = {"--n-fft", "--n-fft", "--fmax", "--top-db", "--db-ref", "--last-window",
        "--window-index", "--window-index", "--frames", "--bogus", "--out", "input", "missing.npy"};
    for (int i = 0; i < cases.size(); i++) {
      assertEquals(2, run(cases.get(i)), "case " + Arrays.toString(cases.get(i)));
      assertTrue(err().contains(expectedWords[i]), "case " + i + ": " + err());
    }
    assertFalse(Files.exists(Path.of(o)), "nothing written on bad arguments");
  }

  @Test
  void unreadableInputsExitWithCode1() throws IOException {
    Path notNpy = dir.resolve("bad.npy");
    Files.writeString(notNpy, "not numpy");
    assertEquals(1, run(notNpy.toString(), "--out", dir.resolve("o.npy").toString()));
    assertTrue(err().contains("bad.npy"), err());

    Path notAudio = dir.resolve("bad.wav");
    Files.writeString(notAudio, "this is text, not audio, at all, really");
    Path out = dir.resolve("o2.npy");
    assertEquals(1, run(notAudio.toString(), "--out", out.toString()));
    assertTrue(err().contains("bad.wav"), err());
    assertFalse(Files.exists(out));

    Path nan = dir.resolve("nan.npy");
    float[] x = new float[1000];
    x[10] = Float.NaN;
    Npy.write(nan, x);
    assertEquals(1, run(nan.toString(), "--out", out.toString()));
    assertTrue(err().contains("non-finite"), err());
    assertFalse(Files.exists(out));
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("--window-index"));
  }
}
