package org.humpback.transforms.audio;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * A time range of one file, as a window-index range, decoded as one Beam element. Long recordings
 * become many shards so a 24-hour file spreads over many workers.
 *
 * @param sourceId identifies the file in outputs
 * @param path where to read it
 * @param firstWindow first window index (in the whole file) this shard emits
 * @param lastWindowExclusive one past the last window index, or {@link #OPEN_ENDED} for the file's
 *     last shard, which runs to the end whatever the header-estimated length said
 * @param seekHint where the decoder may jump to before the shard's start in a file that is not seeked
 *     by timestamp (MP3), or null: demux from the file's start (see {@code ShardEncoder.plan})
 */
@DefaultCoder(AudioShard.ShardCoder.class)
public record AudioShard(String sourceId, String path, long firstWindow, long lastWindowExclusive,
    AudioDecoder.SeekHint seekHint) implements Serializable {

  /** {@code lastWindowExclusive} of a shard that runs to the end of the file. */
  public static final long OPEN_ENDED = -1;

  public AudioShard {
    if (sourceId == null || path == null) {
      throw new IllegalArgumentException("Invalid shard: sourceId and path are required (got " + sourceId + ", " + path + ")");
    }
    if (firstWindow < 0) {
      throw new IllegalArgumentException("Invalid firstWindow: " + firstWindow + " (expected >= 0)");
    }
    if (lastWindowExclusive != OPEN_ENDED && lastWindowExclusive <= firstWindow) {
      throw new IllegalArgumentException("Invalid lastWindowExclusive: " + lastWindowExclusive
          + " (expected -1 or > firstWindow " + firstWindow + ")");
    }
  }

  /** A shard without a seek hint. */
  public AudioShard(String sourceId, String path, long firstWindow, long lastWindowExclusive) {
    this(sourceId, path, firstWindow, lastWindowExclusive, null);
  }

  /** This shard with {@code hint}. */
  public AudioShard withSeekHint(AudioDecoder.SeekHint hint) {
    return new AudioShard(sourceId, path, firstWindow, lastWindowExclusive, hint);
  }

  /** True for the shard that runs to the end of the file. */
  public boolean isLast() {
    return lastWindowExclusive == OPEN_ENDED;
  }

  /** Deterministic binary coder. */
  public static final class ShardCoder extends AtomicCoder<AudioShard> {
    public static ShardCoder of() {
      return new ShardCoder();
    }

    @Override
    public void encode(AudioShard s, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeUTF(s.sourceId);
      out.writeUTF(s.path);
      out.writeLong(s.firstWindow);
      out.writeLong(s.lastWindowExclusive);
      out.writeBoolean(s.seekHint != null);
      if (s.seekHint != null) {
        out.writeLong(s.seekHint.pts());
        out.writeLong(s.seekHint.bytePos());
        out.writeInt(s.seekHint.size());
        out.writeDouble(s.seekHint.seconds());
      }
      out.flush();
    }

    @Override
    public AudioShard decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      AudioShard s = new AudioShard(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
      return in.readBoolean()
          ? s.withSeekHint(new AudioDecoder.SeekHint(in.readLong(), in.readLong(), in.readInt(), in.readDouble())) : s;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
