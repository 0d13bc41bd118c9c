package org.humpback.transforms.beam;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.humpback.transforms.audio.AudioSource;

/**
 * A recording named by a Beam resource spec (a local path, {@code file://}, {@code hdfs://},
 * {@code gs://}, {@code s3://}), read through {@link FileSystems}. Local files keep the decoder's
 * fast path (FFmpeg opens them itself).
 *
 * @param spec the file's resource spec
 */
public record BeamAudioSource(String spec) implements AudioSource {

  public BeamAudioSource {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("Invalid audio file spec: '" + spec + "'");
    }
  }

  private ResourceId resource() {
    return FileSystems.matchNewResource(spec, false);
  }

  @Override
  public String name() {
    return spec;
  }

  @Override
  public long size() throws IOException {
    return FileSystems.matchSingleFileSpec(spec).sizeBytes();
  }

  @Override
  public SeekableByteChannel open() throws IOException {
    ReadableByteChannel ch = FileSystems.open(resource());
    if (ch instanceof SeekableByteChannel s) {
      return s;
    }
    ch.close();
    throw new IOException("The file system of " + spec + " gives no seekable channel; the decoder needs one");
  }

  @Override
  public Path localPath() {
    ResourceId r = resource();
    return "file".equals(r.getScheme()) ? Path.of(r.toString()) : null;
  }
}
