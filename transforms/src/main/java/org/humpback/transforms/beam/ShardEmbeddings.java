package org.humpback.transforms.beam;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.humpback.transforms.audio.AudioShard;
import org.humpback.transforms.audio.EmbeddedWindow;

/**
 * The vectors of one time shard of one file, in window order: what {@link HumpbackIO#encode} emits
 * for every shard it could decode (possibly with no rows, e.g. a tail shard past the end), and what
 * {@link EmbeddingParquetIO#write} joins per file. A window that failed is missing from
 * {@link #rows} (and has an {@link EncodingFailure}); the shard range says which windows were due.
 *
 * @param sourceId the file's id
 * @param firstWindow first window index of the shard
 * @param lastWindowExclusive one past its last, or {@link AudioShard#OPEN_ENDED} for the file's last shard
 * @param rows the embedded windows, in increasing index
 */
@DefaultCoder(ShardEmbeddings.Coder.class)
public record ShardEmbeddings(String sourceId, long firstWindow, long lastWindowExclusive, List<EmbeddedWindow> rows)
    implements Serializable {

  public ShardEmbeddings {
    if (sourceId == null || rows == null || firstWindow < 0) {
      throw new IllegalArgumentException("Invalid shard embeddings: " + sourceId + " from window " + firstWindow);
    }
    rows = List.copyOf(rows);
  }

  /** True for the shard that runs to the end of the file. */
  public boolean isLast() {
    return lastWindowExclusive == AudioShard.OPEN_ENDED;
  }

  /** A compact coder: the header, then each row's index, times and floats. */
  public static final class Coder extends AtomicCoder<ShardEmbeddings> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(ShardEmbeddings s, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeUTF(s.sourceId);
      out.writeLong(s.firstWindow);
      out.writeLong(s.lastWindowExclusive);
      out.writeInt(s.rows.size());
      for (EmbeddedWindow w : s.rows) {
        out.writeLong(w.index());
        out.writeDouble(w.startS());
        out.writeDouble(w.endS());
        float[] v = w.embedding();
        out.writeInt(v.length);
        for (float f : v) {
          out.writeFloat(f);
        }
      }
      out.flush();
    }

    @Override
    public ShardEmbeddings decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      String id = in.readUTF();
      long first = in.readLong();
      long last = in.readLong();
      int n = in.readInt();
      List<EmbeddedWindow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long index = in.readLong();
        double start = in.readDouble();
        double end = in.readDouble();
        float[] v = new float[in.readInt()];
        for (int k = 0; k < v.length; k++) {
          v[k] = in.readFloat();
        }
        rows.add(new EmbeddedWindow(id, index, start, end, v));
      }
      return new ShardEmbeddings(id, first, last, rows);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
