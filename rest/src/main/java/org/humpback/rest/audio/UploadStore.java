package org.humpback.rest.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.humpback.pipelines.jobs.AudioFormat;
import org.humpback.pipelines.jobs.AudioImport;
import org.humpback.pipelines.jobs.Refusal;

/**
 * Receives uploads under {@code {storage}/audio/tmp}: streamed to a temporary file inside the storage root while the
 * SHA-256 is computed, the size capped and the container sniffed from the first bytes ({@link AudioFormat}, refused at
 * once when it is none). {@link AudioImport#importUpload} then moves it to {@code raw/{id}/original.{ext}}, as the
 * command line's import stores a copy. Nothing is ever written from a client-supplied path; a refused upload leaves no
 * file behind.
 */
public final class UploadStore {

  private static final int BUFFER = 64 * 1024;

  private final Path storageRoot;
  private final long maxBytes;

  /**
   * @param storageRoot {@code HUMPBACK_STORAGE_ROOT}
   * @param maxBytes the upload cap ({@code HUMPBACK_MAX_UPLOAD_MB} in bytes)
   */
  public UploadStore(Path storageRoot, long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("Invalid max upload size: " + maxBytes + " bytes (expected > 0)");
    }
    this.storageRoot = storageRoot.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** A received upload, still in its temporary file. */
  public record Received(Path tempFile, String sha256, long sizeBytes, AudioFormat format) {}

  /**
   * Streams {@code in} to a temporary file. 413 past the cap, 415 when the first bytes are no audio container we know;
   * in both cases the temporary file is deleted before the exception leaves.
   */
  public Received receive(InputStream in) {
    Path tmpDir = storageRoot.resolve("audio").resolve("tmp");
    Path temp = null;
    boolean done = false;
    try {
      Files.createDirectories(tmpDir);
      temp = tmpDir.resolve("upload-" + UUID.randomUUID() + ".part");
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[BUFFER];
      byte[] head = new byte[AudioFormat.HEAD_BYTES];
      int headLen = 0;
      long total = 0;
      AudioFormat format = null;
      try (OutputStream out = Files.newOutputStream(temp)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw Refusal.tooLarge("Upload exceeds the " + (maxBytes / (1024 * 1024)) + " MB limit "
                + "(HUMPBACK_MAX_UPLOAD_MB)");
          }
          if (format == null) {
            int take = Math.min(n, head.length - headLen);
            System.arraycopy(buf, 0, head, headLen, take);
            headLen += take;
            if (headLen == head.length) {
              format = sniffOrRefuse(head, headLen);
            }
          }
          sha.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      if (format == null) {
        format = sniffOrRefuse(head, headLen);
      }
      done = true;
      return new Received(temp, HexFormat.of().formatHex(sha.digest()), total, format);
    } catch (IOException e) {
      throw new UncheckedIOException("writing upload to " + tmpDir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    } finally {
      if (!done && temp != null) {
        deleteQuietly(temp);
      }
    }
  }

  private static AudioFormat sniffOrRefuse(byte[] head, int length) {
    if (length == 0) {
      throw Refusal.invalid("field 'file': the upload is empty");
    }
    return AudioFormat.sniff(head, length).orElseThrow(() -> Refusal.unsupportedMedia(AudioFormat.NOT_AUDIO));
  }

  public static void deleteQuietly(Path p) {
    AudioImport.deleteQuietly(p);
  }

  /**
   * The display name kept for an upload: only the last path segment of what the client sent, without control
   * characters. {@code ../../etc/passwd.wav} becomes {@code passwd.wav}. Never used to build a path.
   */
  public static String displayName(Optional<String> clientName) {
    String raw = clientName.orElse("");
    int cut = Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\'));
    String base = raw.substring(cut + 1).replaceAll("\\p{Cntrl}", "").strip();
    if (base.isEmpty() || base.equals(".") || base.equals("..")) {
      return "upload";
    }
    return base.length() > 255 ? base.substring(0, 255) : base;
  }
}
