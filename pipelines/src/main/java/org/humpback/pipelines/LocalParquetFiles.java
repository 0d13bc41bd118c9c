package org.humpback.pipelines;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.io.DelegatingPositionOutputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Local files as Parquet's {@link InputFile}/{@link OutputFile}, without Hadoop's FileSystem (no
 * {@code .crc} side files, no Hadoop configuration). Written files are fsynced on close, so an
 * atomic rename after close publishes complete bytes.
 */
public final class LocalParquetFiles {

  private LocalParquetFiles() {}

  /** A new file for writing; fails if it exists. */
  public static OutputFile output(Path path) {
    return new NioOutputFile(path);
  }

  /** An in-memory "file" for writing: the bytes go to {@code bytes}. */
  public static OutputFile memory(ByteArrayOutputStream bytes) {
    return new MemoryOutputFile(bytes);
  }

  /** An existing file for reading. */
  public static InputFile input(Path path) {
    return new NioInputFile(path);
  }

  /** An OutputFile with no block size (a local file, memory): Parquet then pads no row groups. */
  private interface UnblockedOutputFile extends OutputFile {
    @Override
    default boolean supportsBlockSize() {
      return false;
    }

    @Override
    default long defaultBlockSize() {
      return 0;
    }
  }

  private record MemoryOutputFile(ByteArrayOutputStream bytes) implements UnblockedOutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new DelegatingPositionOutputStream(bytes) {
        @Override
        public long getPos() {
          return bytes.size();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }
  }

  /** A local file as Parquet's OutputFile, without Hadoop's FileSystem; fsyncs on close. */
  private record NioOutputFile(Path path) implements UnblockedOutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      return open(StandardOpenOption.CREATE_NEW);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private PositionOutputStream open(StandardOpenOption... extra) throws IOException {
      List<StandardOpenOption> opts = new ArrayList<>(List.of(extra));
      opts.add(StandardOpenOption.WRITE);
      FileChannel ch = FileChannel.open(path, opts.toArray(new StandardOpenOption[0]));
      OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      return new DelegatingPositionOutputStream(out) {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) throws IOException {
          super.write(b);
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          super.write(b, off, len);
          pos += len;
        }

        @Override
        public void write(byte[] b) throws IOException {
          write(b, 0, b.length);
        }

        @Override
        public void close() throws IOException {
          try (ch) {
            out.flush();
            ch.force(true);
          }
        }
      };
    }

    @Override
    public String getPath() {
      return path.toString();
    }
  }

  /** A local file as Parquet's InputFile. */
  private record NioInputFile(Path path) implements InputFile {
    @Override
    public long getLength() throws IOException {
      return Files.size(path);
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      InputStream in = Channels.newInputStream(ch);
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() throws IOException {
          return ch.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          ch.position(newPos);
        }
      };
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }
}
