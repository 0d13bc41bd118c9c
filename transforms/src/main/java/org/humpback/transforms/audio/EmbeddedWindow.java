package org.humpback.transforms.audio;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One window's embedding vector, with where the window sits in its file.
 *
 * @param sourceId the source file's id
 * @param index 0-based window index in the whole file (becomes the Parquet {@code row_index})
 * @param startS window start in seconds
 * @param endS window end in seconds
 * @param embedding the model's output vector for this window
 */
@DefaultCoder(WindowCoders.EmbeddedWindowCoder.class)
public record EmbeddedWindow(String sourceId, long index, double startS, double endS, float[] embedding)
    implements Serializable {

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddedWindow w
        && sourceId.equals(w.sourceId) && index == w.index
        && Double.compare(startS, w.startS) == 0 && Double.compare(endS, w.endS) == 0
        && Arrays.equals(embedding, w.embedding);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * sourceId.hashCode() + Long.hashCode(index)) + Arrays.hashCode(embedding);
  }

  @Override
  public String toString() {
    return "EmbeddedWindow[" + sourceId + " #" + index + " " + startS + "-" + endS + "s, dim " + embedding.length + "]";
  }
}
