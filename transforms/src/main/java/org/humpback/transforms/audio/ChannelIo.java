package org.humpback.transforms.audio;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * An FFmpeg custom I/O context ({@code avio_alloc_context}) that reads a {@link SeekableByteChannel},
 * so the decoder reads from any Beam file system. The two callbacks are single static native thunks
 * (JavaCPP makes a thunk per callback object); the opaque pointer's address finds the channel.
 */
final class ChannelIo implements AutoCloseable {

  private static final int BUFFER_BYTES = 64 * 1024;
  /** FFmpeg's AVSEEK_FORCE flag, which a reader may ignore. */
  private static final int AVSEEK_FORCE = 0x20000;
  private static final int EIO = -5; // AVERROR(EIO)

  private static final Map<Long, ChannelIo> OPEN = new ConcurrentHashMap<>();

  private static final Read_packet_Pointer_BytePointer_int READ = new Read_packet_Pointer_BytePointer_int() {
    @Override
    public int call(Pointer opaque, BytePointer buf, int size) {
      ChannelIo io = OPEN.get(opaque.address());
      return io == null ? EIO : io.read(buf, size);
    }
  };

  private static final Seek_Pointer_long_int SEEK = new Seek_Pointer_long_int() {
    @Override
    public long call(Pointer opaque, long offset, int whence) {
      ChannelIo io = OPEN.get(opaque.address());
      return io == null ? EIO : io.seek(offset, whence);
    }
  };

  private final SeekableByteChannel channel;
  private final LongPointer key = new LongPointer(1);
  private final long size;
  private ByteBuffer heap = ByteBuffer.allocate(BUFFER_BYTES);
  private AVIOContext avio;
  /** The last read or seek error, for the decoder's message. */
  private volatile IOException error;

  ChannelIo(SeekableByteChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
    OPEN.put(key.address(), this);
    BytePointer buffer = new BytePointer(av_malloc(BUFFER_BYTES));
    avio = avio_alloc_context(buffer, BUFFER_BYTES, 0, key, READ, null, SEEK);
    if (avio == null || avio.isNull()) {
      av_free(buffer);
      close();
      throw new OutOfMemoryError("avio_alloc_context failed");
    }
  }

  AVIOContext context() {
    return avio;
  }

  IOException error() {
    return error;
  }

  private int read(BytePointer buf, int size) {
    try {
      // Through a heap buffer: not every file system's channel reads into a direct buffer.
      if (heap.capacity() < size) {
        heap = ByteBuffer.allocate(size);
      }
      heap.clear().limit(size);
      int n = 0;
      while (n == 0) {
        n = channel.read(heap);
      }
      if (n < 0) {
        return AVERROR_EOF;
      }
      buf.position(0).put(heap.array(), 0, n);
      return n;
    } catch (IOException | RuntimeException e) {
      error = e instanceof IOException io ? io : new IOException(e);
      return EIO;
    }
  }

  private long seek(long offset, int whence) {
    try {
      int w = whence & ~AVSEEK_FORCE;
      if (w == AVSEEK_SIZE) {
        return size;
      }
      long target = switch (w) {
        case 0 -> offset; // SEEK_SET
        case 1 -> channel.position() + offset; // SEEK_CUR
        case 2 -> size + offset; // SEEK_END
        default -> -1;
      };
      if (target < 0) {
        return EIO;
      }
      channel.position(target);
      return target;
    } catch (IOException | RuntimeException e) {
      error = e instanceof IOException io ? io : new IOException(e);
      return EIO;
    }
  }

  /** Frees the context and its buffer (call after {@code avformat_close_input}) and closes the channel. */
  @Override
  public void close() {
    if (avio != null) {
      // FFmpeg may have replaced the buffer it was given: free the one it holds now.
      av_free(avio.buffer());
      avio.buffer(null);
      avio_context_free(avio);
      avio = null;
    }
    OPEN.remove(key.address());
    key.close();
    try {
      channel.close();
    } catch (IOException ignored) {
      // read-only: nothing is lost
    }
  }
}
