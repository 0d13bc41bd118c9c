package org.humpback.transforms.io;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files: writes float32 little-endian C-order arrays of any rank (format 1.0, 2.0 when
 * the header is huge), reads float32, float64, int16 and int32 in either byte order, C order only.
 *
 * <p>This is what {@code humpback features} writes, so users can compare our features with
 * {@code np.load(...)} of their own librosa output.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy aligns the data start to 64 bytes. */
  private static final int ALIGN = 64;

  private Npy() {}

  /** Element types this class reads. */
  public enum DType {
    FLOAT32('f', 4),
    FLOAT64('f', 8),
    INT16('i', 2),
    INT32('i', 4);

    private final char kind;
    private final int size;

    DType(char kind, int size) {
      this.kind = kind;
      this.size = size;
    }

    /** Bytes per element. */
    public int size() {
      return size;
    }

    static DType of(char kind, int size) {
      for (DType d : values()) {
        if (d.kind == kind && d.size == size) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * An array read from a {@code .npy} file: its element type, shape and values in C order, kept at
   * their stored precision ({@code double} holds every supported type exactly).
   */
  public static final class NpyArray {
    private final DType dtype;
    private final int[] shape;
    private final double[] values;

    NpyArray(DType dtype, int[] shape, double[] values) {
      this.dtype = dtype;
      this.shape = shape;
      this.values = values;
    }

    public DType dtype() {
      return dtype;
    }

    public int[] shape() {
      return shape.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
      return shape.length;
    }

    /** Number of elements. */
    public int size() {
      return values.length;
    }

    /** The values in C order, converted to float (exact for float32 and int16). */
    public float[] toFloats() {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }

    /** The values in C order as double (exact for every supported type). */
    public double[] toDoubles() {
      return values.clone();
    }

    @Override
    public String toString() {
      return "NpyArray[" + dtype.name().toLowerCase() + " " + Arrays.toString(shape) + "]";
    }
  }

  // ------------------------------------------------------------------------------------------- write

  /** Writes {@code data} as a float32 array of this shape (the product of {@code shape} must equal its length). */
  public static void writeFloat32(Path file, float[] data, int... shape) throws IOException {
    Objects.requireNonNull(data, "data");
    long n = checkShape(shape);
    if (n != data.length) {
      throw new IllegalArgumentException("Invalid shape: " + Arrays.toString(shape) + " holds " + n
          + " values but data has " + data.length);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write(header("<f4", shape, 0));
      writeFloats(out, data, 0, data.length);
    }
  }

  /** Writes a 1-D float32 array. */
  public static void write(Path file, float[] data) throws IOException {
    writeFloat32(file, data, data.length);
  }

  /** Writes a 2-D float32 array {@code [rows][cols]}; all rows must have the same length. */
  public static void write(Path file, float[][] data) throws IOException {
    int cols = data.length == 0 ? 0 : data[0].length;
    float[] flat = new float[data.length * cols];
    for (int r = 0; r < data.length; r++) {
      if (data[r].length != cols) {
        throw new IllegalArgumentException("Invalid data: row " + r + " has " + data[r].length
            + " values, row 0 has " + cols);
      }
      System.arraycopy(data[r], 0, flat, r * cols, cols);
    }
    writeFloat32(file, flat, data.length, cols);
  }

  /**
   * Opens a float32 file whose leading dimension grows as items are appended, for writing many windows
   * without holding them all. Each {@link Float32Writer#append} adds one item of {@code itemShape}; the
   * leading dimension is written into the header on {@link Float32Writer#close()}.
   */
  public static Float32Writer openFloat32(Path file, int... itemShape) throws IOException {
    return new Float32Writer(file, itemShape);
  }

  /** See {@link #openFloat32}. Not thread-safe. */
  public static final class Float32Writer implements Closeable {
    private final RandomAccessFile raf;
    private final OutputStream out;
    private final int[] itemShape;
    private final int itemSize;
    private final int headerLength;
    private long count;
    private boolean closed;

    private Float32Writer(Path file, int[] itemShape) throws IOException {
      long n = checkShape(itemShape);
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("Invalid item shape: " + Arrays.toString(itemShape) + " is too large");
      }
      this.itemShape = itemShape.clone();
      this.itemSize = (int) n;
      // Reserve room for the largest leading dimension so the header can be rewritten in place.
      byte[] h = header("<f4", prepend(Long.MAX_VALUE, itemShape), 0);
      this.headerLength = h.length;
      this.raf = new RandomAccessFile(file.toFile(), "rw");
      raf.setLength(0);
      this.out = new BufferedOutputStream(new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          raf.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          raf.write(b, off, len);
        }
      }, 1 << 16);
      out.write(header("<f4", prepend(0, itemShape), headerLength));
    }

    /** Appends one item of {@code itemShape} values in C order. */
    public void append(float[] item) throws IOException {
      if (closed) {
        throw new IllegalStateException("Float32Writer is closed");
      }
      if (item.length != itemSize) {
        throw new IllegalArgumentException("Invalid item: " + item.length + " values, expected "
            + itemSize + " for shape " + Arrays.toString(itemShape));
      }
      writeFloats(out, item, 0, item.length);
      count++;
    }

    /** Items appended so far. */
    public long count() {
      return count;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        out.flush();
        raf.seek(0);
        raf.write(header("<f4", prepend(count, itemShape), headerLength));
      } finally {
        raf.close();
      }
    }
  }

  private static long[] prepend(long first, int[] rest) {
    long[] s = new long[rest.length + 1];
    s[0] = first;
    for (int i = 0; i < rest.length; i++) {
      s[i + 1] = rest[i];
    }
    return s;
  }

  private static long checkShape(int[] shape) {
    Objects.requireNonNull(shape, "shape");
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("Invalid shape: " + Arrays.toString(shape) + " (negative dimension)");
      }
      n *= d;
    }
    return n;
  }

  private static byte[] header(String descr, int[] shape, int padTo) {
    long[] s = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      s[i] = shape[i];
    }
    return header(descr, s, padTo);
  }

  /** Magic, version, length and the dict, space-padded to a 64-byte multiple (or to {@code padTo}) and ending in '\n'. */
  private static byte[] header(String descr, long[] shape, int padTo) {
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(shape[i]);
      dims.append(shape.length == 1 ? "," : (i < shape.length - 1 ? ", " : ""));
    }
    dims.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int preamble = 10; // magic 6 + version 2 + uint16 length
    int version = 1;
    int total = padTo > 0 ? padTo : roundUp(preamble + dict.length() + 1, ALIGN);
    if (total - preamble > 0xFFFF) {
      version = 2;
      preamble = 12;
      total = padTo > 0 ? padTo : roundUp(preamble + dict.length() + 1, ALIGN);
    }
    int headerLen = total - preamble;
    if (dict.length() + 1 > headerLen) {
      throw new IllegalStateException("npy header does not fit in " + total + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) headerLen);
    } else {
      b.putInt(headerLen);
    }
    b.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (b.position() < total - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }

  private static int roundUp(int n, int to) {
    return (n + to - 1) / to * to;
  }

  private static void writeFloats(OutputStream out, float[] data, int off, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.min(len, 16384) * 4).order(ByteOrder.LITTLE_ENDIAN);
    int i = off;
    int end = off + len;
    while (i < end) {
      buf.clear();
      int chunk = Math.min(end - i, buf.capacity() / 4);
      buf.asFloatBuffer().put(data, i, chunk);
      out.write(buf.array(), 0, chunk * 4);
      i += chunk;
    }
  }

  // -------------------------------------------------------------------------------------------- read

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * Reads a {@code .npy} file.
   *
   * @throws IOException if the file is unreadable, not a .npy file, truncated, Fortran-ordered or of an
   *     unsupported element type; the message names the file and the problem
   */
  public static NpyArray read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16)), file.toString());
    }
  }

  private static NpyArray read(DataInputStream in, String name) throws IOException {
    byte[] magic = new byte[6];
    try {
      in.readFully(magic);
    } catch (EOFException e) {
      throw new IOException(name + ": not a .npy file (shorter than its magic string)");
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException(name + ": not a .npy file (bad magic string)");
    }
    int major = in.readUnsignedByte();
    in.readUnsignedByte();
    long headerLen;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
    } else if (major == 2 || major == 3) {
      headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
    } else {
      throw new IOException(name + ": unsupported .npy format version " + major);
    }
    if (headerLen > 1 << 24) {
      throw new IOException(name + ": implausible .npy header length " + headerLen);
    }
    byte[] hb = new byte[(int) headerLen];
    in.readFully(hb);
    String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(name + ": malformed .npy header: " + header.trim());
    }
    DType dtype = DType.of(d.group(2).charAt(0), Integer.parseInt(d.group(3)));
    if (dtype == null) {
      throw new IOException(name + ": unsupported .npy dtype '" + d.group(1) + d.group(2) + d.group(3)
          + "' (expected float32, float64, int16 or int32)");
    }
    if (f.group(1).equals("True")) {
      throw new IOException(name + ": Fortran-ordered .npy arrays are not supported (save with np.ascontiguousarray)");
    }
    ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    List<Integer> dims = new ArrayList<>();
    long n = 1;
    for (String part : s.group(1).split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IOException(name + ": invalid .npy dimension " + v);
      }
      dims.add((int) v);
      n *= v;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IOException(name + ": .npy array of " + s.group(1) + " is too large to read into memory");
      }
    }
    int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
    double[] values = new double[(int) n];
    byte[] chunk = new byte[Math.max(dtype.size, (1 << 16) / dtype.size * dtype.size)];
    int i = 0;
    while (i < values.length) {
      int count = Math.min(values.length - i, chunk.length / dtype.size);
      try {
        in.readFully(chunk, 0, count * dtype.size);
      } catch (EOFException e) {
        throw new IOException(name + ": truncated .npy data (expected " + n + " values of " + dtype.name().toLowerCase()
            + ", file ends after " + i + ")");
      }
      ByteBuffer b = ByteBuffer.wrap(chunk, 0, count * dtype.size).order(order);
      for (int j = 0; j < count; j++) {
        values[i + j] = switch (dtype) {
          case FLOAT32 -> b.getFloat();
          case FLOAT64 -> b.getDouble();
          case INT16 -> b.getShort();
          case INT32 -> b.getInt();
        };
      }
      i += count;
    }
    return new NpyArray(dtype, shape, values);
  }
}
