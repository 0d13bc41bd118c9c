package org.humpback.transforms.beam;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Locale;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * The one dead-letter record of encoding and of writing embeddings: a file, a shard of it or one
 * window that did not make it, and why. Every window that is not embedded leaves one.
 *
 * @param sourceId the file's id as given to the transform
 * @param reason the category
 * @param message what went wrong, naming the file (and window range), in words a user can act on
 */
@DefaultCoder(EncodingFailure.Coder.class)
public record EncodingFailure(String sourceId, Reason reason, String message) implements Serializable {

  /** Why a file (or part of it) has no embeddings. */
  public enum Reason {
    /** The file could not be read or decoded (its header when planning, or a shard of it). */
    DECODE,
    /** The front end rejected a window (its samples cannot make the model's input). */
    FEATURES,
    /** The model failed on a window, or gave a vector of the wrong length. */
    INFERENCE,
    /** The file gave no window at all (empty, or shorter than one window with last_window=drop). */
    NO_WINDOWS,
    /** Windows of the file are missing (a shard or window above failed), so its file was not written. */
    INCOMPLETE,
    /** The embedding file could not be written. */
    WRITE;

    /** The lower-case name used in metrics, job rows and messages. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public EncodingFailure {
    if (sourceId == null || reason == null || message == null) {
      throw new IllegalArgumentException("Invalid encoding failure: " + sourceId + ", " + reason + ", " + message);
    }
  }

  /** Deterministic binary coder. */
  public static final class Coder extends AtomicCoder<EncodingFailure> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(EncodingFailure f, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeUTF(f.sourceId);
      out.writeUTF(f.reason.name());
      // writeUTF takes at most 64 KB; a message that long says nothing more than its start
      out.writeUTF(f.message.length() > 8000 ? f.message.substring(0, 8000) : f.message);
      out.flush();
    }

    @Override
    public EncodingFailure decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new EncodingFailure(in.readUTF(), Reason.valueOf(in.readUTF()), in.readUTF());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
