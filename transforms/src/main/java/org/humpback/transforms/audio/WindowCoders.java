package org.humpback.transforms.audio;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * Compact, deterministic Beam coders for the window records. Java serialization would work but is
 * several times larger and slower for float arrays, which are most of what a pipeline moves.
 */
public final class WindowCoders {

  private WindowCoders() {}

  /** Coder for {@link AudioWindow}. */
  public static final class AudioWindowCoder extends AtomicCoder<AudioWindow> {
    public static AudioWindowCoder of() {
      return new AudioWindowCoder();
    }

    @Override
    public void encode(AudioWindow w, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      writeHeader(out, w.sourceId(), w.index(), w.startS(), w.endS());
      writeFloats(out, w.samples());
      out.flush();
    }

    @Override
    public AudioWindow decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new AudioWindow(in.readUTF(), in.readLong(), in.readDouble(), in.readDouble(), readFloats(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Coder for {@link EmbeddedWindow}. */
  public static final class EmbeddedWindowCoder extends AtomicCoder<EmbeddedWindow> {
    public static EmbeddedWindowCoder of() {
      return new EmbeddedWindowCoder();
    }

    @Override
    public void encode(EmbeddedWindow w, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      writeHeader(out, w.sourceId(), w.index(), w.startS(), w.endS());
      writeFloats(out, w.embedding());
      out.flush();
    }

    @Override
    public EmbeddedWindow decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new EmbeddedWindow(in.readUTF(), in.readLong(), in.readDouble(), in.readDouble(), readFloats(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  private static void writeHeader(DataOutputStream out, String id, long index, double start, double end)
      throws IOException {
    out.writeUTF(id);
    out.writeLong(index);
    out.writeDouble(start);
    out.writeDouble(end);
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    byte[] buf = new byte[v.length * 4];
    java.nio.ByteBuffer.wrap(buf).asFloatBuffer().put(v);
    out.write(buf);
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new CoderException("Corrupt window: negative length " + n);
    }
    byte[] buf = new byte[n * 4];
    in.readFully(buf);
    float[] v = new float[n];
    java.nio.ByteBuffer.wrap(buf).asFloatBuffer().get(v);
    return v;
  }

  /** All three coders, e.g. for registering on a pipeline's CoderRegistry. */
  public static List<Class<?>> recordTypes() {
    return List.of(AudioWindow.class, EmbeddedWindow.class);
  }
}
