package org.humpback.pipelines.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * One window's vector with where it came from, as the clustering pipeline gathers them.
 *
 * @param embeddingSetId the embedding set (one audio file under one encoding)
 * @param rowIndex the row in the set's Parquet file
 */
public record WindowVector(String embeddingSetId, int rowIndex, double startS, double endS, float[] vector) {

  /** Beam coder: set id, row index, start, end, then the vector as a length and raw floats. */
  public static final class Coder extends AtomicCoder<WindowVector> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(WindowVector v, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(v.embeddingSetId(), out);
      VarIntCoder.of().encode(v.rowIndex(), out);
      DoubleCoder.of().encode(v.startS(), out);
      DoubleCoder.of().encode(v.endS(), out);
      float[] f = v.vector();
      VarIntCoder.of().encode(f.length, out);
      byte[] b = new byte[f.length * 4];
      java.nio.ByteBuffer.wrap(b).asFloatBuffer().put(f);
      out.write(b);
    }

    @Override
    public WindowVector decode(InputStream in) throws IOException {
      String id = StringUtf8Coder.of().decode(in);
      int row = VarIntCoder.of().decode(in);
      double start = DoubleCoder.of().decode(in);
      double end = DoubleCoder.of().decode(in);
      int len = VarIntCoder.of().decode(in);
      byte[] b = in.readNBytes(len * 4);
      if (b.length != len * 4) {
        throw new java.io.EOFException("WindowVector: expected " + len + " floats, stream ended early");
      }
      float[] f = new float[len];
      java.nio.ByteBuffer.wrap(b).asFloatBuffer().get(f);
      return new WindowVector(id, row, start, end, f);
    }

    @Override
    public void verifyDeterministic() {}
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WindowVector w && w.embeddingSetId.equals(embeddingSetId) && w.rowIndex == rowIndex
        && Double.compare(w.startS, startS) == 0 && Double.compare(w.endS, endS) == 0
        && java.util.Arrays.equals(w.vector, vector);
  }

  @Override
  public int hashCode() {
    return embeddingSetId.hashCode() * 31 + rowIndex;
  }
}
