package org.humpback.transforms.audio;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_DECODER_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBL;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBLP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_TIME_BASE;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_bytes_per_sample;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_double;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;
import static org.bytedeco.ffmpeg.global.avutil.av_sample_fmt_is_planar;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swresample.SWR_FILTER_TYPE_KAISER;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;
import static org.bytedeco.ffmpeg.global.swresample.swr_set_matrix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Streams one audio file as mono float32 at a target sample rate, through FFmpeg (libavformat,
 * libavcodec, libswresample via JavaCPP).
 *
 * <p>Handles WAV (8/16/24/32-bit integer and float), MP3 (gapless: the LAME encoder delay and
 * padding are removed by FFmpeg's skip-samples side data), FLAC and Ogg/Vorbis, and anything else
 * the bundled FFmpeg reads. Channels are averaged to mono (an equal-weight swresample matrix, so
 * a 6-channel file's LFE counts like any other channel). Resampling uses a Kaiser-windowed sinc
 * ({@code filter_size=64, cutoff=0.95, kaiser_beta=12}), about -80 dB alias rejection.
 *
 * <p>Memory stays bounded by one packet's worth of audio whatever the file length. Bad files
 * raise {@link AudioDecodeException} with a {@link AudioDecodeException.Reason}; damage after the
 * start (truncation, corrupt packets, NaN samples) is survived and reported by {@link #stats()}.
 * Every native call's return code is checked and every native object is freed in {@link #close()}.
 *
 * <p>Limits: native rates {@value #MIN_SAMPLE_RATE} to {@value #MAX_SAMPLE_RATE} Hz (a header outside
 * that range is damaged: {@code BAD_SAMPLE_RATE}); at most {@value #MAX_CHANNELS} channels
 * ({@code TOO_MANY_CHANNELS} above).
 *
 * <p>Time shards: {@link #open(Path, int, double)} starts mid-file with the same samples a
 * whole-file decode gives there. PCM, FLAC and Ogg are seeked (exact timestamps); MP3 and other
 * formats are demuxed without decoding up to the start (MP3 seek positions are estimates). Decoding
 * restarts one second early and the resampler at a common multiple of both sample periods, so codec
 * and filter state match; the pre-roll is discarded.
 *
 * <p>Not thread-safe: one decoder per thread.
 */
public final class AudioDecoder implements AutoCloseable {

  /** Files with more channels than this are refused ({@link AudioDecodeException.Reason#TOO_MANY_CHANNELS}). */
  public static final int MAX_CHANNELS = 64;
  /** Lowest native or target sample rate accepted, in Hz. */
  public static final int MIN_SAMPLE_RATE = 100;
  /** Highest native or target sample rate accepted, in Hz. */
  public static final int MAX_SAMPLE_RATE = 2_000_000;

  private static final int EAGAIN = -11; // AVERROR(EAGAIN) on Linux
  private static final int MAX_CORRUPT_WITHOUT_OUTPUT = 200;

  static {
    Loader.load(avformat.class);
    Loader.load(swresample.class);
    // We report every problem ourselves, with the file name; FFmpeg's own stderr chatter would only
    // interleave with worker logs.
    av_log_set_level(Integer.getInteger("humpback.ffmpeg.loglevel", AV_LOG_FATAL));
  }

  private final AudioSource source;
  /** The source's name, for messages. */
  private final String file;
  private final int outRate;
  private AVFormatContext fmt;
  /** The custom I/O over the source's channel, when it is not a local file; else null. */
  private ChannelIo io;
  private AVCodecContext dec;
  private AVPacket pkt;
  private AVFrame frame;
  private SwrContext swr;
  private AVStream stream;
  private int streamIndex;
  private AudioInfo info;
  private boolean pcm;
  private boolean exactSeek;
  private long expectedInputSamples = -1;

  // resampler input configuration, to notice a mid-stream change
  private int swrInFormat = -1;
  private int swrInRate = -1;
  private int swrInChannels = -1;
  private FloatPointer swrOut;
  private PointerPointer<FloatPointer> swrOutPlanes;
  private int swrOutCapacity;
  private PointerPointer<BytePointer> inPlanes;

  private float[] pending = new float[8192];
  private int pendingPos;
  private int pendingLen;
  private float[] scratch = new float[0];
  private double[] scratchD = new double[0];

  private boolean demuxEof;
  private boolean drainSent;
  private boolean finished;
  private boolean closed;

  // time-shard start: drop this many decoded input samples, then this many resampled output samples
  private long inputToSkip;
  private long outputToSkip;
  // after a seek or demux-skip, the first decoded frame's timestamp (minus originTs) gives its position
  private boolean seekPositioned;
  private boolean heldPacket;
  private long originTs;
  private boolean firstFramePositioned;
  private boolean startBeyondEnd;
  // where a byte-seek from a SeekHint put the demuxer: the held packet's exact timestamp, which the
  // first decoded frame takes instead of the demuxer's bitrate estimate
  private long forcedFirstTs = AV_NOPTS_VALUE;
  private SeekHint hint;

  private long inputSamples;
  private long decodedInputSamples;
  private long outputSamples;
  private long nonFinite;
  private long corruptPackets;
  private boolean truncated;
  private final List<String> warnings = new ArrayList<>();

  private AudioDecoder(AudioSource source, int targetSampleRate, double startSeconds) {
    this.source = source;
    this.file = source.name();
    this.outRate = targetSampleRate;
  }

  /**
   * Loads the FFmpeg native libraries now (they load on first use otherwise); DoFns call this in
   * {@code @Setup} so a missing native library fails the worker at start, not mid-bundle.
   */
  public static void loadNativeLibraries() {
    // the static initializer did the work
  }

  /** Opens {@code file} for decoding from its start. {@code targetSampleRate <= 0} keeps the native rate. */
  public static AudioDecoder open(Path file, int targetSampleRate) throws AudioDecodeException {
    return open(file, targetSampleRate, 0.0);
  }

  /** Opens {@code source} for decoding from its start. {@code targetSampleRate <= 0} keeps the native rate. */
  public static AudioDecoder open(AudioSource source, int targetSampleRate) throws AudioDecodeException {
    return open(source, targetSampleRate, 0.0, null);
  }

  /**
   * Opens {@code file} and positions the output at {@code startSeconds}: the first sample read is
   * output sample {@code round(startSeconds * rate)} of a whole-file decode, with the same value
   * (within float noise). The decoder and resampler are run over a pre-roll before the start so
   * their state matches a whole-file decode; time shards of one file therefore join seamlessly.
   */
  public static AudioDecoder open(Path file, int targetSampleRate, double startSeconds)
      throws AudioDecodeException {
    return open(file, targetSampleRate, startSeconds, null);
  }

  /**
   * As {@link #open(Path, int, double)}, with a {@link SeekHint} from {@link #seekHints} of the same
   * file: formats that are not seeked by timestamp (MP3) then jump to the hint's byte position
   * instead of demuxing every packet from the file's start, with the same result. A hint after the
   * start, or one that does not land on its packet, is ignored (demuxed from the start as without).
   */
  public static AudioDecoder open(Path file, int targetSampleRate, double startSeconds, SeekHint hint)
      throws AudioDecodeException {
    if (file == null) {
      throw new IllegalArgumentException("Invalid file: null");
    }
    return open(AudioSource.of(file), targetSampleRate, startSeconds, hint);
  }

  /**
   * As {@link #open(Path, int, double, SeekHint)}, reading {@code source}: a local file is opened by
   * FFmpeg itself, anything else through a custom I/O context over the source's channel.
   */
  public static AudioDecoder open(AudioSource source, int targetSampleRate, double startSeconds, SeekHint hint)
      throws AudioDecodeException {
    if (source == null) {
      throw new IllegalArgumentException("Invalid audio source: null");
    }
    String file = source.name();
    if (!(startSeconds >= 0) || !Double.isFinite(startSeconds)) {
      throw new IllegalArgumentException("Invalid startSeconds: " + startSeconds + " (expected a finite value >= 0)");
    }
    if (targetSampleRate > 0 && (targetSampleRate < MIN_SAMPLE_RATE || targetSampleRate > MAX_SAMPLE_RATE)) {
      throw new AudioDecodeException(AudioDecodeException.Reason.BAD_SAMPLE_RATE, file,
          "the requested target sample rate " + targetSampleRate + " Hz is invalid (expected "
              + MIN_SAMPLE_RATE + " to " + MAX_SAMPLE_RATE + " Hz, or 0 to keep the file's rate)");
    }
    String wavWarning = checkFile(source);
    AudioDecoder d = new AudioDecoder(source, targetSampleRate, startSeconds);
    if (wavWarning != null) {
      d.truncated = true;
      d.warnings.add(wavWarning);
    }
    d.hint = hint;
    try {
      d.openNative(targetSampleRate);
      d.positionAt(startSeconds);
      return d;
    } catch (AudioDecodeException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /**
   * Where a decoder may jump into a file that is not seeked by timestamp (MP3): a packet's exact
   * timestamp (in the stream's time base, as demuxing from the start gives it), its byte position
   * and size (to check the jump landed on it), and its time in seconds from the stream's start.
   *
   * <p>Not for a read that reaches the end of the file: after a byte jump the demuxer's own
   * timestamps are estimates, so it cannot trim the encoder's end padding of a gapless MP3 exactly
   * (the last few dozen samples would differ). {@code ShardEncoder.plan} gives hints to every shard of a
   * file but its last.
   */
  public record SeekHint(long pts, long bytePos, int size, double seconds) implements java.io.Serializable {}

  /**
   * Whether a file of this container and codec is positioned by a timestamp seek, whose landing is
   * exact by construction: PCM (byte offset), FLAC (sample numbers in frame headers), Ogg (granule
   * positions). MP3 seeking estimates positions, so MP3 and everything else is demuxed from the
   * start instead (packets are not decoded), or jumps to a {@link SeekHint}.
   */
  public static boolean seeksByTimestamp(AudioInfo info) {
    return seeksByTimestamp(info.container(), info.codec());
  }

  private static boolean seeksByTimestamp(String container, String codec) {
    return codec.startsWith("pcm_") || codec.equals("flac") || container.equals("ogg");
  }

  /**
   * One {@link SeekHint} about every {@code everySeconds} of {@code file}, from one pass over its
   * packets without decoding (about 75 ms per hour of MP3); empty for formats whose timestamp seeks
   * are exact (PCM, FLAC, Ogg), which need none. Planning time shards with these turns the cost of
   * reaching a shard's start from one pass over the file before it into a jump.
   */
  public static List<SeekHint> seekHints(Path file, double everySeconds) throws AudioDecodeException {
    return seekHints(AudioSource.of(file), everySeconds);
  }

  /** As {@link #seekHints(Path, double)} for any source. */
  public static List<SeekHint> seekHints(AudioSource source, double everySeconds) throws AudioDecodeException {
    if (!(everySeconds > 0)) {
      throw new IllegalArgumentException("Invalid everySeconds: " + everySeconds + " (expected > 0)");
    }
    try (AudioDecoder d = open(source, 0)) {
      return d.exactSeek ? List.of() : d.indexPackets(everySeconds);
    }
  }

  private List<SeekHint> indexPackets(double everySeconds) {
    List<SeekHint> hints = new ArrayList<>();
    AVRational tb = stream.time_base();
    if (tb.num() <= 0 || tb.den() <= 0) {
      return hints;
    }
    long origin = stream.start_time() != AV_NOPTS_VALUE ? stream.start_time() : 0;
    double next = everySeconds;
    while (av_read_frame(fmt, pkt) >= 0) {
      try {
        long pts = pkt.pts() != AV_NOPTS_VALUE ? pkt.pts() : pkt.dts();
        if (pkt.stream_index() == streamIndex && pts != AV_NOPTS_VALUE && pkt.pos() >= 0) {
          double at = (pts - origin) * (double) tb.num() / tb.den();
          if (at >= next) {
            hints.add(new SeekHint(pts, pkt.pos(), pkt.size(), at));
            next = at + everySeconds;
          }
        }
      } finally {
        av_packet_unref(pkt);
      }
    }
    return hints;
  }

  /** Reads the headers of {@code file} without decoding; rates and sample counts are the file's own. */
  public static AudioInfo probe(Path file) throws AudioDecodeException {
    return probe(AudioSource.of(file));
  }

  /** Reads the headers of {@code source} without decoding. */
  public static AudioInfo probe(AudioSource source) throws AudioDecodeException {
    try (AudioDecoder d = open(source, 0)) {
      return d.info();
    }
  }

  /** What the file is; {@code estimatedSamples} is at this decoder's output rate. */
  public AudioInfo info() {
    return info;
  }

  /** The rate of the samples {@link #read} returns. */
  public int outputSampleRate() {
    return info.sampleRate() > 0 && outRate <= 0 ? info.sampleRate() : outRate;
  }

  /**
   * Reads up to {@code len} mono samples at the output rate into {@code buf[off..]}.
   *
   * @return the number of samples read (at least 1 when {@code len > 0}), or -1 at the end
   */
  public int read(float[] buf, int off, int len) throws AudioDecodeException {
    if (closed) {
      throw new IllegalStateException("AudioDecoder for " + file + " is closed");
    }
    if (off < 0 || len < 0 || off + len > buf.length) {
      throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " buf.length=" + buf.length);
    }
    if (len == 0) {
      return 0;
    }
    while (pendingPos == pendingLen) {
      pendingPos = 0;
      pendingLen = 0;
      if (finished) {
        return -1;
      }
      decodeMore();
    }
    int n = Math.min(len, pendingLen - pendingPos);
    System.arraycopy(pending, pendingPos, buf, off, n);
    pendingPos += n;
    return n;
  }

  /** Reads the whole remaining stream into one array. Only for short files and tests. */
  public float[] readAll() throws AudioDecodeException {
    // a damaged header can claim any length: trust it only up to 16 M samples, then grow as read
    float[] out = new float[info.estimatedSamples() > 0 ? (int) Math.min(info.estimatedSamples() + 1024, 1 << 24) : 1 << 16];
    int n = 0;
    while (true) {
      if (n == out.length) {
        if (out.length >= Integer.MAX_VALUE - 8) {
          throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
              "too long to hold in one array; stream it with read() instead");
        }
        out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, Integer.MAX_VALUE - 8));
      }
      int r = read(out, n, out.length - n);
      if (r < 0) {
        return Arrays.copyOf(out, n);
      }
      n += r;
    }
  }

  /** Problems survived so far; complete once {@link #read} has returned -1. */
  public DecodeStats stats() {
    return new DecodeStats(inputSamples, outputSamples, nonFinite, corruptPackets, truncated, warnings);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (swr != null) {
      swr_free(swr);
      swr = null;
    }
    if (frame != null) {
      av_frame_free(frame);
      frame = null;
    }
    if (pkt != null) {
      av_packet_free(pkt);
      pkt = null;
    }
    if (dec != null) {
      avcodec_free_context(dec);
      dec = null;
    }
    closeInput();
    if (swrOut != null) {
      swrOut.close();
      swrOutPlanes.close();
      swrOut = null;
    }
    if (inPlanes != null) {
      inPlanes.close();
      inPlanes = null;
    }
  }

  // ---------------------------------------------------------------- opening

  /** Checks what can be checked before FFmpeg sees the file; returns a warning for a short WAV, or null. */
  private static String checkFile(AudioSource source) throws AudioDecodeException {
    String file = source.name();
    Path local = source.localPath();
    if (local != null) {
      if (!Files.exists(local)) {
        throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "the file does not exist");
      }
      if (!Files.isRegularFile(local)) {
        throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "not a regular file");
      }
      if (!Files.isReadable(local)) {
        throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "the file is not readable (permissions)");
      }
    }
    long size;
    try {
      size = source.size();
    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "the file does not exist", e);
    } catch (IOException | RuntimeException e) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot read the file size: " + e.getMessage(), e);
    }
    if (size == 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.EMPTY_FILE, file, "the file is empty (0 bytes)");
    }
    return checkWavHeaderRate(source, size);
  }

  /** Up to {@code n} bytes from the start of {@code source}. */
  private static byte[] head(AudioSource source, int n) throws IOException {
    try (java.nio.channels.SeekableByteChannel ch = source.open()) {
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read until full or at the end
      }
      return Arrays.copyOf(b.array(), b.position());
    }
  }

  /**
   * FFmpeg refuses a WAV whose header says 0 Hz with a generic "invalid data"; reading the
   * {@code fmt } chunk ourselves lets us say what is actually wrong.
   */
  private static String checkWavHeaderRate(AudioSource source, long fileSize) throws AudioDecodeException {
    String file = source.name();
    byte[] head;
    try {
      head = head(source, 4096);
    } catch (IOException | RuntimeException e) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot read the file: " + e.getMessage(), e);
    }
    int n = head.length;
    if (n < 12 || !ascii(head, 0, "RIFF") || !ascii(head, 8, "WAVE")) {
      return null;
    }
    long bytesPerSecond = 0;
    ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 12;
    while (pos + 8 <= n) {
      long chunkSize = b.getInt(pos + 4) & 0xffffffffL;
      if (ascii(head, pos, "fmt ")) {
        if (pos + 16 <= n) {
          int channels = b.getShort(pos + 10) & 0xffff;
          long rate = b.getInt(pos + 12) & 0xffffffffL;
          if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
            throw new AudioDecodeException(AudioDecodeException.Reason.BAD_SAMPLE_RATE, file,
                "the WAV header declares a sample rate of " + rate + " Hz (expected " + MIN_SAMPLE_RATE
                    + " to " + MAX_SAMPLE_RATE + " Hz); the header is damaged");
          }
          if (channels == 0) {
            throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file,
                "the WAV header declares 0 channels; the header is damaged");
          }
          bytesPerSecond = b.getInt(pos + 16) & 0xffffffffL;
        }
      } else if (ascii(head, pos, "data")) {
        // FFmpeg silently clamps a data chunk that runs past the end of the file; say so
        long available = fileSize - (pos + 8);
        if (chunkSize != 0xffffffffL && chunkSize != 0 && chunkSize > available && bytesPerSecond > 0) {
          return String.format(java.util.Locale.ROOT,
              "the file is truncated: its WAV header declares %.3f s of audio but the file holds only %.3f s",
              chunkSize / (double) bytesPerSecond, available / (double) bytesPerSecond);
        }
        return null;
      }
      pos += 8 + (int) Math.min(chunkSize + (chunkSize & 1), Integer.MAX_VALUE - 16);
    }
    return null;
  }

  private static boolean ascii(byte[] b, int off, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (b[off + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Opens the container; FFmpeg's error code (fmt left null) when it cannot be opened. A local file
   * is opened by FFmpeg; any other source through a custom I/O context over its channel.
   */
  private int openInput() throws AudioDecodeException {
    Path local = source.localPath();
    if (local != null) {
      fmt = new AVFormatContext(null);
      int ret = avformat_open_input(fmt, local.toAbsolutePath().toString(), null, null);
      if (ret < 0) {
        fmt = null; // FFmpeg frees the context on failure
      }
      return ret;
    }
    try {
      io = new ChannelIo(source.open());
    } catch (IOException | RuntimeException e) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot open the file: " + e.getMessage(), e);
    }
    fmt = avformat_alloc_context();
    fmt.pb(io.context()); // avformat_open_input marks the I/O as the caller's (AVFMT_FLAG_CUSTOM_IO)
    int ret = avformat_open_input(fmt, (String) null, null, null);
    if (ret < 0) {
      fmt = null; // FFmpeg frees the context on failure, not our I/O context
      java.io.IOException cause = io.error();
      closeIo();
      if (cause != null) {
        throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot read the file: " + cause, cause);
      }
    }
    return ret;
  }

  /** Closes the container and, for a channel source, its I/O context and channel. */
  private void closeInput() {
    if (fmt != null) {
      avformat_close_input(fmt);
      fmt = null;
    }
    closeIo();
  }

  private void closeIo() {
    if (io != null) {
      io.close();
      io = null;
    }
  }

  private void findStreamInfo(String what) throws AudioDecodeException {
    int ret = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file, "cannot read the stream headers"
          + what + ": " + errorText(ret));
    }
  }

  private void openNative(int targetRate) throws AudioDecodeException {
    int ret = openInput();
    if (ret < 0) {
      if (ret == AVERROR_INVALIDDATA) {
        throw new AudioDecodeException(AudioDecodeException.Reason.NOT_AUDIO, file,
            "the file is not in a recognised audio format" + (looksLikeText() ? " (it contains text)" : ""));
      }
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot open the file: " + errorText(ret));
    }
    findStreamInfo("");
    ret = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
    if (ret == AVERROR_DECODER_NOT_FOUND) {
      throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
          "the audio codec is not supported by this FFmpeg build");
    }
    if (ret < 0) {
      if (looksLikeText()) {
        throw new AudioDecodeException(AudioDecodeException.Reason.NOT_AUDIO, file,
            "the file contains text, not audio");
      }
      String container = fmt.iformat() == null ? "unknown" : fmt.iformat().name().getString();
      throw new AudioDecodeException(AudioDecodeException.Reason.NO_AUDIO_STREAM, file,
          "the " + container + " file has no audio stream" + (ret == AVERROR_STREAM_NOT_FOUND ? "" : " (" + errorText(ret) + ")"));
    }
    streamIndex = ret;
    stream = fmt.streams(streamIndex);
    AVCodecParameters par = stream.codecpar();
    int rate = par.sample_rate();
    int channels = par.ch_layout().nb_channels();
    if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
      throw new AudioDecodeException(AudioDecodeException.Reason.BAD_SAMPLE_RATE, file,
          "the file declares a sample rate of " + rate + " Hz (expected " + MIN_SAMPLE_RATE + " to "
              + MAX_SAMPLE_RATE + " Hz); the header is damaged");
    }
    if (channels <= 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file, "the audio stream declares no channels");
    }
    if (channels > MAX_CHANNELS) {
      throw new AudioDecodeException(AudioDecodeException.Reason.TOO_MANY_CHANNELS, file,
          "the file has " + channels + " channels; at most " + MAX_CHANNELS + " are supported");
    }
    AVCodec codec = avcodec_find_decoder(par.codec_id());
    if (codec == null || codec.isNull()) {
      throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
          "no decoder for the audio codec (id " + par.codec_id() + ") in this FFmpeg build");
    }
    dec = avcodec_alloc_context3(codec);
    if (dec == null || dec.isNull()) {
      dec = null;
      throw new OutOfMemoryError("avcodec_alloc_context3 failed for " + file);
    }
    ret = avcodec_parameters_to_context(dec, par);
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file,
          "invalid codec parameters: " + errorText(ret));
    }
    dec.pkt_timebase(stream.time_base());
    dec.thread_count(1); // one core per decoder; Beam parallelises across files and shards
    ret = avcodec_open2(dec, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null);
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
          "cannot open the " + codec.name().getString() + " decoder: " + errorText(ret));
    }
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (pkt == null || frame == null) {
      throw new OutOfMemoryError("av_packet_alloc/av_frame_alloc failed for " + file);
    }
    String codecName = codec.name().getString();
    pcm = codecName.startsWith("pcm_");
    String container = fmt.iformat().name().getString();
    exactSeek = seeksByTimestamp(container, codecName);
    int effectiveOut = targetRate > 0 ? targetRate : rate;
    double duration = -1;
    AVRational tb = stream.time_base();
    boolean exactDuration = false;
    if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0 && tb.den() != 0) {
      duration = stream.duration() * (double) tb.num() / tb.den();
      exactDuration = fmt.duration_estimation_method() != avformat.AVFMT_DURATION_FROM_BITRATE;
    } else if (fmt.duration() != AV_NOPTS_VALUE && fmt.duration() > 0) {
      duration = fmt.duration() / (double) AV_TIME_BASE;
    }
    if (exactDuration) {
      expectedInputSamples = Math.round(duration * rate);
    }
    long estimated = duration >= 0 ? Math.round(duration * effectiveOut) : -1;
    info = new AudioInfo(fmt.iformat().name().getString(), codecName, rate, channels, duration, estimated);
  }

  private boolean looksLikeText() {
    try {
      byte[] b = head(source, 512);
      if (b.length == 0) {
        return false;
      }
      for (byte x : b) {
        int c = x & 0xff;
        if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b) || c == 0x7f) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String errorText(int code) {
    byte[] buf = new byte[256];
    if (av_strerror(code, buf, buf.length) < 0) {
      return "FFmpeg error " + code;
    }
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
  }

  // ---------------------------------------------------------------- start offset

  /**
   * Arranges to skip to {@code startSeconds}. The resampler is restarted at an input sample whose
   * time is an exact multiple of both sample periods, so its filter phase sequence is the one a
   * whole-file decode would use there; it then runs over a pre-roll of input that is discarded.
   */
  private void positionAt(double startSeconds) throws AudioDecodeException {
    if (startSeconds == 0) {
      return;
    }
    int inRate = info.sampleRate();
    int out = outputSampleRate();
    long startOut = Math.round(startSeconds * out);
    long g = gcd(inRate, out);
    long inPeriod = inRate / g;
    long outPeriod = out / g;
    // resampler filter reaches about filter_size/2 input samples (scaled when downsampling) each side
    long prerollOut = 256 + (long) Math.ceil(64.0 / 0.95 * Math.max(1.0, (double) out / inRate)) * 4;
    long m = Math.max(0, (startOut - prerollOut) / outPeriod);
    long resampleFromIn = m * inPeriod;
    inputToSkip = resampleFromIn;
    outputToSkip = startOut - m * outPeriod;
    skipInputFast(resampleFromIn);
  }

  /**
   * Moves the demuxer close to {@code targetIn} input samples without decoding: PCM, FLAC and Ogg
   * are seeked (their timestamps after a seek are exact); everything else is demuxed (not decoded)
   * from the start, which keeps packet timestamps exact. Decoding restarts a pre-roll before the
   * target so the decoder's state (MP3 bit reservoir, MDCT overlap) is rebuilt; the first decoded
   * frame's timestamp then says how many samples remain to drop.
   */
  private void skipInputFast(long targetIn) throws AudioDecodeException {
    int inRate = info.sampleRate();
    long decoderPreroll = pcm ? 0 : inRate; // one second rebuilds any codec's state
    long restartAt = targetIn - decoderPreroll;
    if (restartAt <= 0) {
      return; // decode from the start and drop samples
    }
    // A copy, not a view into the stream: a fallback below (restartFromBeginning) closes the demuxer
    // and frees that stream, and reading a freed time base made the position random (a flaky 0-sample read).
    AVRational tb = new AVRational().num(stream.time_base().num()).den(stream.time_base().den());
    if (tb.num() <= 0 || tb.den() <= 0) {
      return;
    }
    long origin = stream.start_time() != AV_NOPTS_VALUE ? stream.start_time() : 0;
    if (exactSeek) {
      long ts = origin + samplesToTicks(restartAt, inRate, tb);
      int ret = av_seek_frame(fmt, streamIndex, ts, avformat.AVSEEK_FLAG_BACKWARD);
      if (ret >= 0) {
        avcodec_flush_buffers(dec);
        seekPositioned = true;
        originTs = origin;
      } else {
        // unseekable: decode from the start instead
        rewindFailed(ret);
      }
      return;
    }
    long trackedTs = AV_NOPTS_VALUE;
    if (hint != null && hint.pts() > origin && ticksToSamples(hint.pts() - origin, inRate, tb) <= restartAt) {
      trackedTs = jumpTo(hint);
    }
    // demux without decoding until the restart point
    while (true) {
      int ret = av_read_frame(fmt, pkt);
      if (ret < 0) {
        // the file ends before the start: nothing to output; let the normal path report it
        demuxEof = true;
        startBeyondEnd = true;
        return;
      }
      if (pkt.stream_index() != streamIndex) {
        av_packet_unref(pkt);
        continue;
      }
      // after a byte seek the demuxer's timestamps are estimates: count packet durations from the hint
      long pts = trackedTs != AV_NOPTS_VALUE ? trackedTs : pkt.pts() != AV_NOPTS_VALUE ? pkt.pts() : pkt.dts();
      if (pts != AV_NOPTS_VALUE) {
        long posIn = ticksToSamples(pts - origin, inRate, tb);
        if (posIn >= restartAt) {
          // keep this packet: it is the first one decoded
          heldPacket = true;
          seekPositioned = true;
          originTs = origin;
          forcedFirstTs = trackedTs;
          return;
        }
      }
      if (trackedTs != AV_NOPTS_VALUE) {
        if (pkt.duration() <= 0) {
          av_packet_unref(pkt);
          trackedTs = restartFromBeginning();
          continue;
        }
        trackedTs += pkt.duration();
      }
      av_packet_unref(pkt);
    }
  }

  /**
   * Byte-seeks to {@code h}'s packet. Returns the timestamp to count from, or AV_NOPTS_VALUE after
   * falling back to the file's start (the seek failed or landed elsewhere).
   */
  private long jumpTo(SeekHint h) throws AudioDecodeException {
    int ret = av_seek_frame(fmt, streamIndex, h.bytePos(), avformat.AVSEEK_FLAG_BYTE);
    if (ret < 0) {
      return restartFromBeginning();
    }
    while (true) {
      ret = av_read_frame(fmt, pkt);
      if (ret < 0) {
        return restartFromBeginning();
      }
      if (pkt.stream_index() != streamIndex) {
        av_packet_unref(pkt);
        continue;
      }
      boolean landed = pkt.pos() == h.bytePos() && pkt.size() == h.size() && pkt.duration() > 0;
      long next = h.pts() + pkt.duration();
      av_packet_unref(pkt);
      // the hint's packet itself is before the restart point (checked by the caller): go on after it
      return landed ? next : restartFromBeginning();
    }
  }

  /**
   * Opens the demuxer afresh, as {@link #open} left it: demuxing from there gives the exact timestamps
   * (an MP3 timestamp seek back to the start would not). The codec has not been fed yet, so it stays.
   */
  private long restartFromBeginning() throws AudioDecodeException {
    warnOnce("the seek hint did not land on its packet; demuxed from the start instead");
    closeInput();
    int ret = openInput();
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot reopen the file: " + errorText(ret));
    }
    findStreamInfo(" again");
    if (streamIndex >= fmt.nb_streams()) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file, "the audio stream is gone on reopening");
    }
    stream = fmt.streams(streamIndex);
    return AV_NOPTS_VALUE;
  }

  private void rewindFailed(int ret) {
    warnOnce("seeking failed (" + errorText(ret) + "); decoded from the start instead");
  }

  // doubles hold sample counts exactly up to 2^53, far beyond any recording
  private static long samplesToTicks(long samples, int rate, AVRational tb) {
    return Math.round((double) samples * tb.den() / ((double) rate * tb.num()));
  }

  private static long ticksToSamples(long ticks, int rate, AVRational tb) {
    return Math.round((double) ticks * tb.num() * rate / tb.den());
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  // ---------------------------------------------------------------- decoding

  private void decodeMore() throws AudioDecodeException {
    int errorsInARow = 0;
    while (pendingLen == 0 && !finished) {
      int ret = avcodec_receive_frame(dec, frame);
      if (ret >= 0) {
        errorsInARow = 0;
        try {
          handleFrame();
        } finally {
          av_frame_unref(frame);
        }
      } else if (ret == AVERROR_EOF) {
        endOfStream();
      } else if (ret == EAGAIN) {
        feedPacket();
      } else {
        countCorrupt(ret);
        if (++errorsInARow > 1000) {
          // a decoder stuck on the same error would otherwise spin forever
          truncated = true;
          warnOnce("decoding stopped: the decoder keeps failing (" + errorText(ret) + ")");
          endOfStream();
        }
      }
    }
  }

  private void endOfStream() throws AudioDecodeException {
    flushResampler();
    finish();
  }

  private void feedPacket() throws AudioDecodeException {
    if (demuxEof) {
      if (!drainSent) {
        drainSent = true;
        int ret = avcodec_send_packet(dec, (AVPacket) null);
        if (ret < 0 && ret != AVERROR_EOF) {
          endOfStream();
        }
      } else {
        endOfStream(); // decoder neither drains nor signals EOF: stop rather than spin
      }
      return;
    }
    int ret;
    if (heldPacket) {
      heldPacket = false;
      ret = 0;
    } else {
      ret = av_read_frame(fmt, pkt);
    }
    if (ret < 0) {
      if (ret != AVERROR_EOF) {
        truncated = true;
        warnOnce("reading stopped early: " + errorText(ret) + "; decoded the audio before that point");
      }
      demuxEof = true;
      return;
    }
    try {
      if (pkt.stream_index() != streamIndex) {
        return;
      }
      ret = avcodec_send_packet(dec, pkt);
      if (ret < 0 && ret != EAGAIN) {
        countCorrupt(ret);
      }
    } finally {
      av_packet_unref(pkt);
    }
  }

  private void countCorrupt(int ret) throws AudioDecodeException {
    corruptPackets++;
    if (corruptPackets == 1) {
      warnings.add("corrupt audio data skipped (" + errorText(ret) + ")");
    }
    if (corruptPackets >= MAX_CORRUPT_WITHOUT_OUTPUT && decodedInputSamples == 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file,
          "no audio could be decoded: the first " + corruptPackets + " packets are damaged (" + errorText(ret) + ")");
    }
  }

  private void handleFrame() throws AudioDecodeException {
    int nb = frame.nb_samples();
    if (nb <= 0) {
      return;
    }
    int channels = frame.ch_layout().nb_channels();
    if (channels <= 0 || channels > MAX_CHANNELS) {
      countCorrupt(AVERROR_INVALIDDATA);
      return;
    }
    if (seekPositioned && !firstFramePositioned) {
      firstFramePositioned = true;
      long ts = forcedFirstTs != AV_NOPTS_VALUE ? forcedFirstTs
          : frame.pts() != AV_NOPTS_VALUE ? frame.pts() : frame.best_effort_timestamp();
      if (ts == AV_NOPTS_VALUE) {
        throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file,
            "cannot start mid-file: the decoded audio has no timestamps");
      }
      long posIn = ticksToSamples(ts - originTs, info.sampleRate(), stream.time_base());
      // samples already passed by seeking/demuxing count as skipped
      decodedInputSamples = posIn;
      inputToSkip -= posIn;
      if (inputToSkip < 0) {
        throw new AudioDecodeException(AudioDecodeException.Reason.CORRUPT, file,
            "cannot start mid-file: seeking landed " + (-inputToSkip) + " samples after the requested point");
      }
    }
    decodedInputSamples += nb;
    int skip = 0;
    if (inputToSkip > 0) {
      skip = (int) Math.min(inputToSkip, nb);
      inputToSkip -= skip;
      if (skip == nb) {
        return;
      }
    }
    int format = frame.format();
    if (swr == null || format != swrInFormat || frame.sample_rate() != swrInRate || channels != swrInChannels) {
      if (swr != null) {
        flushResampler();
        warnOnce("the audio format changes mid-stream (rate, channels or sample format); the resampler was restarted");
      }
      initResampler(format, frame.sample_rate(), channels);
    }
    boolean planar = av_sample_fmt_is_planar(format) != 0;
    int bps = av_get_bytes_per_sample(format);
    int planes = planar ? channels : 1;
    if (format == AV_SAMPLE_FMT_FLT || format == AV_SAMPLE_FMT_FLTP || format == AV_SAMPLE_FMT_DBL
        || format == AV_SAMPLE_FMT_DBLP) {
      replaceNonFinite(format, planes, planar ? nb : nb * channels);
    }
    int n = nb - skip;
    long byteOffset = (long) skip * bps * (planar ? 1 : channels);
    for (int p = 0; p < planes; p++) {
      BytePointer plane = frame.extended_data(p);
      inPlanes.put(p, byteOffset == 0 ? plane : new BytePointer(plane).position(byteOffset));
    }
    inputSamples += n;
    convert(inPlanes, n);
  }

  private void replaceNonFinite(int format, int planes, int valuesPerPlane) throws AudioDecodeException {
    boolean isFloat = format == AV_SAMPLE_FMT_FLT || format == AV_SAMPLE_FMT_FLTP;
    boolean writable = false;
    for (int p = 0; p < planes; p++) {
      if (isFloat) {
        if (scratch.length < valuesPerPlane) {
          scratch = new float[valuesPerPlane];
        }
        FloatPointer fp = new FloatPointer(frame.extended_data(p)).capacity(valuesPerPlane);
        fp.get(scratch, 0, valuesPerPlane);
        int bad = 0;
        for (int i = 0; i < valuesPerPlane; i++) {
          if (!Float.isFinite(scratch[i])) {
            scratch[i] = 0f;
            bad++;
          }
        }
        if (bad > 0) {
          if (!writable) {
            makeWritable();
            writable = true;
            fp = new FloatPointer(frame.extended_data(p)).capacity(valuesPerPlane);
          }
          fp.put(scratch, 0, valuesPerPlane);
          noteNonFinite(bad);
        }
      } else {
        if (scratchD.length < valuesPerPlane) {
          scratchD = new double[valuesPerPlane];
        }
        DoublePointer dp = new DoublePointer(frame.extended_data(p)).capacity(valuesPerPlane);
        dp.get(scratchD, 0, valuesPerPlane);
        int bad = 0;
        for (int i = 0; i < valuesPerPlane; i++) {
          if (!Double.isFinite(scratchD[i])) {
            scratchD[i] = 0;
            bad++;
          }
        }
        if (bad > 0) {
          if (!writable) {
            makeWritable();
            writable = true;
            dp = new DoublePointer(frame.extended_data(p)).capacity(valuesPerPlane);
          }
          dp.put(scratchD, 0, valuesPerPlane);
          noteNonFinite(bad);
        }
      }
    }
  }

  private void makeWritable() throws AudioDecodeException {
    int ret = av_frame_make_writable(frame);
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "cannot copy a frame: " + errorText(ret));
    }
  }

  private void noteNonFinite(int bad) {
    if (nonFinite == 0) {
      warnings.add("the file contains NaN or infinite samples; they were replaced by 0");
    }
    nonFinite += bad;
  }

  private void initResampler(int format, int inRate, int channels) throws AudioDecodeException {
    if (swr != null) {
      swr_free(swr);
      swr = null;
    }
    int out = outputSampleRate();
    AVChannelLayout inLayout = new AVChannelLayout();
    AVChannelLayout outLayout = new AVChannelLayout();
    try {
      av_channel_layout_default(inLayout, channels);
      av_channel_layout_default(outLayout, 1);
      SwrContext ctx = new SwrContext(null);
      int ret = swr_alloc_set_opts2(ctx, outLayout, AV_SAMPLE_FMT_FLT, out, inLayout, format, inRate, 0, null);
      if (ret < 0 || ctx.isNull()) {
        throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
            "cannot set up resampling from " + inRate + " Hz, " + channels + " channels: " + errorText(ret));
      }
      swr = ctx;
      check(av_opt_set_int(swr, "filter_size", 64, 0), "filter_size");
      check(av_opt_set_double(swr, "cutoff", 0.95, 0), "cutoff");
      check(av_opt_set_int(swr, "filter_type", SWR_FILTER_TYPE_KAISER, 0), "filter_type");
      check(av_opt_set_int(swr, "kaiser_beta", 12, 0), "kaiser_beta");
      // equal-weight average of all channels (FFmpeg's default downmix would weight by position)
      double[] matrix = new double[channels];
      Arrays.fill(matrix, 1.0 / channels);
      check(swr_set_matrix(swr, matrix, channels), "matrix");
      check(swr_init(swr), "init");
    } finally {
      av_channel_layout_uninit(inLayout);
      av_channel_layout_uninit(outLayout);
      inLayout.close();
      outLayout.close();
    }
    swrInFormat = format;
    swrInRate = inRate;
    swrInChannels = channels;
    if (inPlanes == null) {
      inPlanes = new PointerPointer<>(MAX_CHANNELS);
    }
  }

  private void check(int ret, String what) throws AudioDecodeException {
    if (ret < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.UNSUPPORTED, file,
          "cannot configure the resampler (" + what + "): " + errorText(ret));
    }
  }

  private void convert(PointerPointer<BytePointer> in, int n) throws AudioDecodeException {
    int cap = swr_get_out_samples(swr, n);
    if (cap < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "resampler failure: " + errorText(cap));
    }
    cap += 32;
    ensureSwrOut(cap);
    int got = in == null ? swr_convert(swr, swrOutPlanes, cap, (PointerPointer<?>) null, 0)
        : swr_convert(swr, swrOutPlanes, cap, in, n);
    if (got < 0) {
      throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "resampling failed: " + errorText(got));
    }
    deliver(got);
  }

  private void flushResampler() throws AudioDecodeException {
    if (swr == null) {
      return;
    }
    while (true) {
      int before = pendingLen;
      int cap = Math.max(swr_get_out_samples(swr, 0), 0) + 32;
      ensureSwrOut(cap);
      int got = swr_convert(swr, swrOutPlanes, cap, (PointerPointer<?>) null, 0);
      if (got < 0) {
        throw new AudioDecodeException(AudioDecodeException.Reason.IO, file, "resampler flush failed: " + errorText(got));
      }
      deliver(got);
      if (got == 0 || pendingLen == before && got == 0) {
        break;
      }
    }
  }

  private void ensureSwrOut(int cap) {
    if (swrOut == null || swrOutCapacity < cap) {
      if (swrOut != null) {
        swrOut.close();
        swrOutPlanes.close();
      }
      swrOutCapacity = Math.max(cap, 4096);
      swrOut = new FloatPointer(swrOutCapacity);
      swrOutPlanes = new PointerPointer<FloatPointer>(1).put(0, swrOut);
    }
  }

  private void deliver(int got) {
    if (got <= 0) {
      return;
    }
    int from = 0;
    if (outputToSkip > 0) {
      int s = (int) Math.min(outputToSkip, got);
      outputToSkip -= s;
      from = s;
    }
    int n = got - from;
    if (n <= 0) {
      return;
    }
    if (pending.length < pendingLen + n) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + n));
    }
    swrOut.position(from).get(pending, pendingLen, n);
    swrOut.position(0);
    pendingLen += n;
    outputSamples += n;
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (seekPositioned && !firstFramePositioned) {
      startBeyondEnd = true; // positioned past the last frame: an empty tail shard, not a truncated file
    }
    if (decodedInputSamples == 0 && corruptPackets > 0) {
      truncated = true;
    }
    if (expectedInputSamples > 0 && !startBeyondEnd) {
      long tolerance = pcm ? 0 : 2304; // two MP3 frames: container durations of lossy streams are approximate
      if (decodedInputSamples + tolerance < expectedInputSamples) {
        truncated = true;
        warnings.add(String.format(java.util.Locale.ROOT,
            "the file is truncated: its header declares %.3f s but only %.3f s could be decoded",
            expectedInputSamples / (double) info.sampleRate(), decodedInputSamples / (double) info.sampleRate()));
      }
    }
  }

  private void warnOnce(String w) {
    if (!warnings.contains(w)) {
      warnings.add(w);
    }
  }
}
