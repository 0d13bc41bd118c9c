package org.humpback.transforms.audio;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.FF_COMPLIANCE_EXPERIMENTAL;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16P;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * Writes MP3, FLAC and Ogg/Vorbis test recordings through the FFmpeg libraries in this process, the
 * same ones the decoder uses. (The tests once ran the ffmpeg program from the FFmpeg jar, which loads
 * libavdevice and so needs PulseAudio's client library, which a new machine does not have.)
 *
 * <p>Settings are those the ffmpeg program chose by default for a 16-bit mono WAV: libmp3lame at
 * 128 kbit/s on s16p samples (with the Xing/LAME header that makes MP3 gapless), FLAC on s16, and
 * FFmpeg's own Vorbis encoder (experimental; the only Vorbis encoder in the jar, stereo only), fed the
 * mono signal on both channels.
 */
final class TestEncoder {

  private TestEncoder() {}

  /** Encodes mono {@code samples} at {@code rate} into {@code out}; the format follows its extension. */
  static Path encode(float[] samples, int rate, Path out) throws IOException {
    String name = out.getFileName().toString();
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "mp3" -> encode(samples, rate, out, "libmp3lame", AV_SAMPLE_FMT_S16P, 1, 128_000);
      case "flac" -> encode(samples, rate, out, "flac", AV_SAMPLE_FMT_S16, 1, 0);
      case "ogg" -> encode(samples, rate, out, "vorbis", AV_SAMPLE_FMT_FLTP, 2, 0);
      default -> throw new IllegalArgumentException("no test encoder for ." + ext + " (mp3, flac, ogg)");
    };
  }

  private static Path encode(float[] x, int rate, Path out, String codecName, int sampleFormat, int channels,
      long bitRate) throws IOException {
    AVCodec codec = avcodec_find_encoder_by_name(codecName);
    if (codec == null || codec.isNull()) {
      throw new IOException("FFmpeg has no encoder " + codecName);
    }
    AVFormatContext fmt = new AVFormatContext(null);
    check(avformat_alloc_output_context2(fmt, null, (String) null, out.toString()), "guess the container of " + out);
    AVCodecContext enc = avcodec_alloc_context3(codec);
    AVPacket pkt = av_packet_alloc();
    AVFrame frame = av_frame_alloc();
    try {
      enc.sample_fmt(sampleFormat);
      enc.sample_rate(rate);
      av_channel_layout_default(enc.ch_layout(), channels);
      enc.time_base(new AVRational().num(1).den(rate));
      enc.strict_std_compliance(FF_COMPLIANCE_EXPERIMENTAL);
      if (bitRate > 0) {
        enc.bit_rate(bitRate);
      }
      if ((fmt.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
        enc.flags(enc.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
      }
      check(avcodec_open2(enc, codec, (AVDictionary) null), "open encoder " + codecName);
      AVStream st = avformat_new_stream(fmt, null);
      st.time_base(enc.time_base());
      check(avcodec_parameters_from_context(st.codecpar(), enc), "copy encoder parameters");
      AVIOContext io = new AVIOContext(null);
      check(avio_open(io, new BytePointer(out.toString()), AVIO_FLAG_WRITE), "open " + out);
      fmt.pb(io);
      check(avformat_write_header(fmt, (AVDictionary) null), "write header of " + out);

      int frameSize = enc.frame_size() > 0 ? enc.frame_size() : 4608;
      frame.nb_samples(frameSize);
      frame.format(sampleFormat);
      frame.sample_rate(rate);
      av_channel_layout_default(frame.ch_layout(), channels);
      check(av_frame_get_buffer(frame, 0), "allocate a frame");
      for (int from = 0; from < x.length; from += frameSize) {
        int n = Math.min(frameSize, x.length - from);
        check(av_frame_make_writable(frame), "make a frame writable");
        frame.nb_samples(n);
        for (int c = 0; c < channels; c++) {
          fill(frame, sampleFormat, c, x, from, n);
        }
        frame.pts(from);
        check(avcodec_send_frame(enc, frame), "encode");
        drain(fmt, enc, st, pkt);
      }
      check(avcodec_send_frame(enc, null), "flush the encoder");
      drain(fmt, enc, st, pkt);
      check(av_write_trailer(fmt), "write trailer of " + out);
      return out;
    } finally {
      av_frame_free(frame);
      av_packet_free(pkt);
      avcodec_free_context(enc);
      if (fmt.pb() != null && !fmt.pb().isNull()) {
        avio_closep(fmt.pb());
      }
      avformat_free_context(fmt);
    }
  }

  private static void fill(AVFrame frame, int sampleFormat, int channel, float[] x, int from, int n) {
    if (sampleFormat == AV_SAMPLE_FMT_FLTP) {
      FloatPointer p = new FloatPointer(frame.data(channel)).capacity(n);
      p.put(x, from, n);
      return;
    }
    // s16 (packed mono) and s16p share one layout for a single channel
    ShortPointer p = new ShortPointer(frame.data(channel)).capacity(n);
    for (int i = 0; i < n; i++) {
      p.put(i, (short) Math.round(Math.max(-1, Math.min(1, x[from + i])) * 32767));
    }
  }

  private static void drain(AVFormatContext fmt, AVCodecContext enc, AVStream st, AVPacket pkt) throws IOException {
    while (true) {
      int ret = avcodec_receive_packet(enc, pkt);
      if (ret == AVERROR_EOF || ret == -11 /* AVERROR(EAGAIN) */) {
        return;
      }
      check(ret, "receive a packet");
      av_packet_rescale_ts(pkt, enc.time_base(), st.time_base());
      pkt.stream_index(st.index());
      check(av_interleaved_write_frame(fmt, pkt), "write a packet");
    }
  }

  private static void check(int ret, String what) throws IOException {
    if (ret < 0) {
      throw new IOException("FFmpeg could not " + what + " (error " + ret + ")");
    }
  }
}
