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
 * A dead-letter record: a file (or one time shard of it) that could not be decoded.
 *
 * @param sourceId the file's id as given to the transform
 * @param path the file's path
 * @param reason an {@link AudioDecodeException.Reason} name, or {@code INTERNAL} for an unexpected error
 * @param message what went wrong, naming the file, in words a user understands
 */
@DefaultCoder(AudioFailure.FailureCoder.class)
public record AudioFailure(String sourceId, String path, String reason, String message) implements Serializable {

  /** Reason used for errors that are bugs rather than bad input. */
  public static final String INTERNAL = "INTERNAL";

  /** The failure an exception (an AudioDecodeException, or a bug) made of one file. */
  public static AudioFailure of(String sourceId, String path, Exception e) {
    String reason = e instanceof AudioDecodeException ade ? ade.reason().name() : INTERNAL;
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    return new AudioFailure(sourceId, path, reason, message);
  }

  /** Deterministic binary coder. */
  public static final class FailureCoder extends AtomicCoder<AudioFailure> {
    public static FailureCoder of() {
      return new FailureCoder();
    }

    @Override
    public void encode(AudioFailure f, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeUTF(f.sourceId);
      out.writeUTF(f.path);
      out.writeUTF(f.reason);
      // messages can exceed writeUTF's 64 KB limit only if something is very wrong; cut rather than fail
      out.writeUTF(f.message.length() > 8000 ? f.message.substring(0, 8000) : f.message);
      out.flush();
    }

    @Override
    public AudioFailure decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new AudioFailure(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
