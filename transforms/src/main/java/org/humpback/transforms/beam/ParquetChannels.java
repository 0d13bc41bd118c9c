package org.humpback.transforms.beam;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.parquet.io.DelegatingPositionOutputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Parquet's {@link InputFile} / {@link OutputFile} over Beam's {@link FileSystems}, so embedding files
 * (and the clustering outputs of the pipelines module) are read and written on any Beam file system (local,
 * HDFS, GCS, S3), without Hadoop's FileSystem.
 */
public final class ParquetChannels {

  private ParquetChannels() {}

  /** A new file at {@code resource} (Beam's file systems create missing parent folders). */
  public static OutputFile output(ResourceId resource) {
    return new OutputFile() {
      @Override
      public PositionOutputStream create(long blockSizeHint) throws IOException {
        return stream(FileSystems.create(resource, MimeTypes.BINARY));
      }

      @Override
      public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return create(blockSizeHint);
      }

      @Override
      public boolean supportsBlockSize() {
        return false; // no row-group padding
      }

      @Override
      public long defaultBlockSize() {
        return 0;
      }

      @Override
      public String getPath() {
        return resource.toString();
      }
    };
  }

  /**
   * An already open channel (a {@code FileIO.Sink}'s) as a new Parquet file; closing the Parquet writer closes the
   * channel.
   */
  public static OutputFile output(WritableByteChannel channel) {
    return new OutputFile() {
      @Override
      public PositionOutputStream create(long blockSizeHint) {
        return stream(channel);
      }

      @Override
      public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return stream(channel);
      }

      @Override
      public boolean supportsBlockSize() {
        return false;
      }

      @Override
      public long defaultBlockSize() {
        return 0;
      }
    };
  }

  private static PositionOutputStream stream(WritableByteChannel ch) {
    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
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
    };
  }

  /** An existing file at {@code resource}. */
  public static InputFile input(ResourceId resource) {
    return new InputFile() {
      @Override
      public long getLength() throws IOException {
        return FileSystems.matchSingleFileSpec(resource.toString()).sizeBytes();
      }

      @Override
      public SeekableInputStream newStream() throws IOException {
        ReadableByteChannel raw = FileSystems.open(resource);
        if (!(raw instanceof SeekableByteChannel ch)) {
          raw.close();
          throw new IOException("The file system of " + resource + " gives no seekable channel; Parquet needs one");
        }
        return new DelegatingSeekableInputStream(Channels.newInputStream(ch)) {
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
        return resource.toString();
      }
    };
  }
}
