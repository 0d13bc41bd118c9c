package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder reading a source through its channel (FFmpeg custom I/O, as for HDFS or GCS) gives
 * the samples FFmpeg's own file open gives: whole files, shards started mid-file, and MP3 seek hints.
 */
class ChannelSourceTest {

  @TempDir Path dir;

  private static float[] decode(AudioSource s, int rate, double start, AudioDecoder.SeekHint hint) throws Exception {
    try (AudioDecoder d = AudioDecoder.open(s, rate, start, hint)) {
      return d.readAll();
    }
  }

  @Test
  void shippedOggThroughTheChannelEqualsTheFile() throws Exception {
    Path ogg = Path.of("../examples/audio/humpback-moo-nps.ogg");
    assumeTrue(Files.exists(ogg), "examples/audio is missing");
    for (double start : new double[] {0, 7.5}) {
      assertArrayEquals(decode(AudioSource.of(ogg), 16000, start, null),
          decode(AudioSource.channelOnly(ogg), 16000, start, null), "start " + start);
    }
    assertEquals(AudioDecoder.probe(ogg), AudioDecoder.probe(AudioSource.channelOnly(ogg)));
  }

  @Test
  void wavAndMp3ShardsThroughTheChannelEqualTheFile() throws Exception {
    for (String name : List.of("humpback/glacier-bay-humpback.wav", "humpback/glacier-bay-humpback.mp3")) {
      Path f = SharedCorpus.audio(name);
      List<AudioDecoder.SeekHint> hints = AudioDecoder.seekHints(AudioSource.channelOnly(f), 10);
      assertEquals(AudioDecoder.seekHints(f, 10), hints, name);
      AudioDecoder.SeekHint hint = hints.isEmpty() ? null : hints.get(0);
      double start = hint == null ? 20 : hint.seconds() + 6;
      assertArrayEquals(decode(AudioSource.of(f), 16000, start, hint),
          decode(AudioSource.channelOnly(f), 16000, start, hint), name);
    }
  }

  @Test
  void badBytesThroughTheChannelFailWithAReason() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.wav"), "this is not audio at all, just some words\n".repeat(20));
    AudioDecodeException e = assertThrows(AudioDecodeException.class,
        () -> AudioDecoder.probe(AudioSource.channelOnly(text)));
    assertEquals(AudioDecodeException.Reason.NOT_AUDIO, e.reason());
    Path empty = Files.write(dir.resolve("empty.wav"), new byte[0]);
    assertEquals(AudioDecodeException.Reason.EMPTY_FILE, assertThrows(AudioDecodeException.class,
        () -> AudioDecoder.probe(AudioSource.channelOnly(empty))).reason());
  }
}
