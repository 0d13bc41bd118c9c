package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files of every format: cut at many points, bytes overwritten, pure noise. Each must either
 * decode (possibly with warnings) or fail with an {@link AudioDecodeException}; nothing may crash the
 * JVM or throw anything else.
 */
class AudioDecoderRobustnessTest {

  @TempDir Path dir;

  @Test
  void damagedFilesNeverCrash() throws Exception {
    float[] x = TestAudio.sine(22050 * 2, 22050, 500, 0.4);
    Path wav = TestAudio.write(dir, "src.wav", TestAudio.wav(x, 1, 22050, 16, false));
    Path[] sources = {
        wav,
        TestAudio.encode(wav, dir.resolve("src.mp3")),
        TestAudio.encode(wav, dir.resolve("src.flac")),
        TestAudio.encode(wav, dir.resolve("src.ogg")),
    };
    Random rnd = new Random(11);
    int decoded = 0;
    int refused = 0;
    for (Path src : sources) {
      byte[] good = Files.readAllBytes(src);
      String ext = src.getFileName().toString().substring(4);
      for (int cut : new int[] {1, 4, 11, 40, 44, 100, 600, good.length / 3, good.length - 1}) {
        Path f = TestAudio.write(dir, "cut" + cut + "." + ext, Arrays.copyOf(good, Math.min(cut, good.length)));
        if (tryDecode(f)) {
          decoded++;
        } else {
          refused++;
        }
      }
      for (int trial = 0; trial < 6; trial++) {
        byte[] bad = good.clone();
        int from = rnd.nextInt(bad.length);
        for (int i = from; i < Math.min(bad.length, from + 1 + rnd.nextInt(400)); i++) {
          bad[i] = (byte) rnd.nextInt();
        }
        if (tryDecode(TestAudio.write(dir, "bad" + trial + "." + ext, bad))) {
          decoded++;
        } else {
          refused++;
        }
      }
      byte[] noise = new byte[5000];
      rnd.nextBytes(noise);
      if (tryDecode(TestAudio.write(dir, "noise." + ext, noise))) {
        decoded++;
      } else {
        refused++;
      }
    }
    assertTrue(decoded > 0 && refused > 0, "decoded " + decoded + ", refused " + refused);
  }

  /** True when decoded, false when refused with a typed error; anything else fails the test. */
  private static boolean tryDecode(Path f) {
    try (AudioDecoder d = AudioDecoder.open(f, 32000)) {
      float[] buf = new float[4096];
      long n = 0;
      for (int r; (r = d.read(buf, 0, buf.length)) > 0; ) {
        for (int i = 0; i < r; i++) {
          assertTrue(Float.isFinite(buf[i]), f + ": non-finite output");
        }
        n += r;
      }
      assertTrue(n >= 0);
      return true;
    } catch (AudioDecodeException e) {
      assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
      return false;
    }
  }
}
