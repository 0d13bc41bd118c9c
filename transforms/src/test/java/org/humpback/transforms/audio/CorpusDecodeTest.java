package org.humpback.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.humpback.transforms.testing.SharedCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same Glacier Bay recording as WAV, OGG/Vorbis and MP3 (real files from ../shared). */
class CorpusDecodeTest {

  private static final String BASE = "humpback/glacier-bay-humpback.";
  private static final FrontEndConfig CFG = FrontEndConfig.defaults();

  /**
   * What the ffmpeg 8.1.2 and ffprobe programs in {@code org.bytedeco:ffmpeg:8.1.2-1.5.14:linux-x86_64} say
   * of the three corpus files, recorded once (the programs load libavdevice, which needs PulseAudio's client
   * library, absent on a new machine; the decoder under test does not):
   * {@code ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate,duration -of
   * default=noprint_wrappers=1:nokey=1 F} and {@code ffmpeg -nostdin -v error -i F -f f32le - | sha256sum}.
   */
  private record CliFacts(int sampleRate, double durationSeconds, String f32leSha256) {}

  private static CliFacts cli(String ext) {
    return switch (ext) {
      case "wav" -> new CliFacts(22050, 64.809025, "91d3519e1866b0ab526bb8bce336bb957059c94b2d0b58f56461c115b12f4d47");
      case "ogg" -> new CliFacts(22050, 64.809025, "96043e9f6237024db248f37292fae9114ff5dee1c8c23df88784ca5dba466bae");
      case "mp3" -> new CliFacts(44100, 64.809002, "8901f3f9b4366ccc690c842d02197cd3183ae738d7981f10fdd8ebe0a44fe680");
      default -> throw new IllegalArgumentException(ext);
    };
  }

  private static List<AudioWindow> windows(Path f) throws Exception {
    List<AudioWindow> out = new ArrayList<>();
    try (AudioDecoder d = AudioDecoder.open(f, CFG.sampleRate())) {
      Windower.over(f.getFileName().toString(), d, CFG).iterator().forEachRemaining(out::add);
      assertTrue(d.stats().clean(), f + ": " + d.stats());
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"wav", "ogg", "mp3"})
  void sampleCountMatchesFfprobeDuration(String ext) throws Exception {
    Path f = SharedCorpus.audio(BASE + ext);
    double duration = cli(ext).durationSeconds();
    int nativeRate = cli(ext).sampleRate();
    // one packet: an MP3 frame is 1152 samples, a long Vorbis block 2048 (at most half emitted)
    double packetSeconds = (ext.equals("wav") ? 1 : 2048) / (double) nativeRate;
    try (AudioDecoder d = AudioDecoder.open(f, 0)) {
      assertEquals(nativeRate, d.info().sampleRate());
      assertEquals(1, d.info().channels());
      long n = d.readAll().length;
      assertEquals(duration * nativeRate, n, packetSeconds * nativeRate, ext + ": decoded " + n + " native samples");
    }
    try (AudioDecoder d = AudioDecoder.open(f, 32000)) {
      long n = d.readAll().length;
      assertEquals(duration * 32000, n, packetSeconds * 32000 + 1, ext + ": decoded " + n + " samples at 32 kHz");
      assertTrue(d.stats().clean(), d.stats().toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"wav", "ogg", "mp3"})
  void nativeRateDecodeIsBitIdenticalToTheFfmpegCli(String ext) throws Exception {
    Path f = SharedCorpus.audio(BASE + ext);
    float[] ours = TestAudio.decodeAll(f, 0);
    ByteBuffer f32le = ByteBuffer.allocate(ours.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    f32le.asFloatBuffer().put(ours);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(f32le.array()));
    assertEquals(cli(ext).f32leSha256(), sha, ext + ": our native-rate samples differ from the ffmpeg program's");
  }

  /**
   * Measured on this recording (13 five-second windows, default front end): OGG vs WAV 0.004-0.006 dB
   * RMS log-mel difference (the WAV is a decode of the same Vorbis stream: waveform correlation 1.0000);
   * MP3 vs WAV 1.9-3.8 dB. The MP3 gap is in the file, not the decoder: our MP3 decode is
   * bit-identical to the ffmpeg CLI (test above), it is time-aligned (waveform correlation 0.9998+),
   * but this recording carries a DC offset of +0.35 (see the golden README), which dominates every
   * window's reference maximum (ref=max) and uses up the MP3 encoder's headroom: the MP3's DC is
   * 0.340 against the WAV's 0.356, and the song itself sits 40-60 dB below the DC peak, where the
   * 128 kbit/s encoding's quantisation noise shows. The 1.5 dB MP3 goal is therefore checked on a
   * recording without that offset, below ({@link #mp3AndVorbisOfOneSongGiveCloseLogMel}).
   */
  @Test
  void sameRecordingInThreeFormatsGivesCloseWindows() throws Exception {
    List<AudioWindow> wav = windows(SharedCorpus.audio(BASE + "wav"));
    List<AudioWindow> ogg = windows(SharedCorpus.audio(BASE + "ogg"));
    List<AudioWindow> mp3 = windows(SharedCorpus.audio(BASE + "mp3"));
    assertEquals(13, wav.size()); // 64.81 s in 5-s windows, the last one padded
    assertEquals(wav.size(), ogg.size());
    assertEquals(wav.size(), mp3.size());
    LogMelSpectrogram lm = LogMelSpectrogram.of(CFG);
    for (int k = 0; k < wav.size(); k++) {
      assertEquals(wav.get(k).endS(), ogg.get(k).endS(), 1e-9);
      assertEquals(wav.get(k).endS(), mp3.get(k).endS(), 1e-9);
      float[] a = wav.get(k).samples();
      assertTrue(correlation(a, ogg.get(k).samples()) > 0.9999, "window " + k);
      assertTrue(correlation(a, mp3.get(k).samples()) > 0.999, "window " + k + ": MP3 misaligned?");
      float[][] ref = lm.compute(a);
      double dbOgg = rmsDb(ref, lm.compute(ogg.get(k).samples()));
      double dbMp3 = rmsDb(ref, lm.compute(mp3.get(k).samples()));
      assertTrue(dbOgg < 0.5, "window " + k + ": OGG vs WAV log-mel RMS difference " + dbOgg + " dB");
      assertTrue(dbMp3 < 4.0, "window " + k + ": MP3 vs WAV log-mel RMS difference " + dbMp3 + " dB");
    }
  }

  /**
   * The New Caledonia song as MP3 and as Ogg/Vorbis (both conversions of one recording): measured
   * 0.35-0.50 dB RMS log-mel difference per 5-s window, under the 1.5 dB MP3 goal.
   */
  @Test
  void mp3AndVorbisOfOneSongGiveCloseLogMel() throws Exception {
    List<AudioWindow> oga = windows(SharedCorpus.audio("humpback/song-new-caledonia-2010-ccby25.oga"));
    List<AudioWindow> mp3 = windows(SharedCorpus.audio("humpback/song-new-caledonia-2010-ccby25.mp3"));
    assertEquals(oga.size(), mp3.size());
    LogMelSpectrogram lm = LogMelSpectrogram.of(CFG);
    for (int k = 0; k < oga.size(); k++) {
      double db = rmsDb(lm.compute(oga.get(k).samples()), lm.compute(mp3.get(k).samples()));
      assertTrue(db < 1.5, "window " + k + ": MP3 vs OGA log-mel RMS difference " + db + " dB");
    }
  }

  @Test
  void everyHumpbackCorpusRecordingDecodesCleanly() throws Exception {
    Path folder = SharedCorpus.audio("humpback");
    List<Path> files;
    try (var list = java.nio.file.Files.list(folder)) {
      files = list.filter(f -> f.toString().matches(".*\\.(wav|mp3|ogg|oga|flac)$")).sorted().toList();
    }
    assertTrue(files.size() >= 10, "found " + files);
    for (Path f : files) {
      try (AudioDecoder d = AudioDecoder.open(f, 32000)) {
        long n = d.readAll().length;
        assertEquals(d.info().durationSeconds() * 32000, n, 0.1 * 32000, f + " " + d.info());
        assertTrue(d.stats().clean(), f + ": " + d.stats());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"humpback/song-new-caledonia-2010-ccby25.mp3", "humpback/song-new-caledonia-2010-ccby25.oga"})
  void realFileShardsJoinIntoTheWholeFileWindows(String name) throws Exception {
    Path f = SharedCorpus.audio(name);
    List<AudioWindow> whole = windows(f);
    assertTrue(whole.size() > 6, name + ": " + whole.size() + " windows");
    List<AudioWindow> sharded = new ArrayList<>();
    long per = 3;
    for (long first = 0; first < whole.size(); first += per) {
      long last = first + per >= whole.size() ? -1 : first + per;
      try (AudioDecoder d = AudioDecoder.open(f, CFG.sampleRate(), Windower.shardStartSeconds(CFG, first))) {
        Windower.overShard(f.getFileName().toString(), d, CFG, first, last).iterator().forEachRemaining(sharded::add);
      }
    }
    assertEquals(whole.size(), sharded.size());
    for (int k = 0; k < whole.size(); k++) {
      assertEquals(whole.get(k).endS(), sharded.get(k).endS());
      assertArrayEquals(whole.get(k).samples(), sharded.get(k).samples(), 1e-6f, name + " window " + k);
    }
  }

  static double correlation(float[] a, float[] b) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  static double rmsDb(float[][] a, float[][] b) {
    double s = 0;
    int n = 0;
    for (int m = 0; m < a.length; m++) {
      for (int t = 0; t < a[m].length; t++) {
        double d = a[m][t] - b[m][t];
        s += d * d;
        n++;
      }
    }
    return Math.sqrt(s / n);
  }
}
