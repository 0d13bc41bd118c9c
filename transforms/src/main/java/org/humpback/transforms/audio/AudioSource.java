package org.humpback.transforms.audio;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@link AudioDecoder} reads a recording's bytes from: any seekable byte channel (Beam's
 * {@code FileSystems} give one for local files, HDFS, GCS, S3). A source that is a local file may say
 * so ({@link #localPath()}); FFmpeg then opens the file itself, which is the fast path.
 */
public interface AudioSource extends Serializable {

  /** How messages name the source (a path or URI). */
  String name();

  /** The size in bytes. */
  long size() throws IOException;

  /** A new channel positioned at 0; the caller closes it. */
  SeekableByteChannel open() throws IOException;

  /** The local file, when there is one; {@code null} makes the decoder read through {@link #open}. */
  default Path localPath() {
    return null;
  }

  /** A local file. */
  static AudioSource of(Path file) {
    if (file == null) {
      throw new IllegalArgumentException("Invalid file: null");
    }
    return new Local(file.toAbsolutePath().toString());
  }

  /** A local file read only through its channel (no fast path): for tests of the channel path. */
  static AudioSource channelOnly(Path file) {
    AudioSource local = of(file);
    return new AudioSource() {
      @Override
      public String name() {
        return local.name();
      }

      @Override
      public long size() throws IOException {
        return local.size();
      }

      @Override
      public SeekableByteChannel open() throws IOException {
        return local.open();
      }
    };
  }

  /** A local file, kept as a string so the source stays serializable. */
  record Local(String path) implements AudioSource {
    @Override
    public String name() {
      return path;
    }

    @Override
    public long size() throws IOException {
      return Files.size(Path.of(path));
    }

    @Override
    public SeekableByteChannel open() throws IOException {
      return FileChannel.open(Path.of(path), StandardOpenOption.READ);
    }

    @Override
    public Path localPath() {
      return Path.of(path);
    }
  }
}
