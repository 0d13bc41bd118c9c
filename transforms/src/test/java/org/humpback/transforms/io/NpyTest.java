package org.humpback.transforms.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

  @TempDir Path dir;

  @Test
  void float32RoundTripOfEveryRank() throws IOException {
    float[] data = new float[24];
    for (int i = 0; i < data.length; i++) {
      data[i] = i * 0.5f - 3f;
    }
    data[5] = Float.MIN_VALUE;
    data[6] = -Float.MAX_VALUE;
    int[][] shapes = {{24}, {4, 6}, {2, 3, 4}, {1, 2, 3, 4}, {24, 1}};
    for (int[] shape : shapes) {
      Path f = dir.resolve("a" + shape.length + ".npy");
      Npy.writeFloat32(f, data, shape);
      assertEquals(0, Files.size(f) % 4);
      assertEquals(0, (Files.size(f) - 24 * 4) % 64, "data starts on a 64-byte boundary");
      Npy.NpyArray a = Npy.read(f);
      assertEquals(Npy.DType.FLOAT32, a.dtype());
      assertArrayEquals(shape, a.shape());
      assertArrayEquals(data, a.toFloats());
    }
  }

  @Test
  void scalarAndEmptyArrays() throws IOException {
    Path f = dir.resolve("s.npy");
    Npy.writeFloat32(f, new float[] {7f});
    assertEquals(0, Npy.read(f).rank());
    assertArrayEquals(new float[] {7f}, Npy.read(f).toFloats());
    Npy.writeFloat32(f, new float[0], 0, 128);
    assertArrayEquals(new int[] {0, 128}, Npy.read(f).shape());
    assertEquals(0, Npy.read(f).size());
  }

  @Test
  void headerIsNumpyFormat10() throws IOException {
    Path f = dir.resolve("h.npy");
    Npy.write(f, new float[][] {{1, 2, 3}, {4, 5, 6}});
    byte[] b = Files.readAllBytes(f);
    assertEquals((byte) 0x93, b[0]);
    assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
    assertEquals(1, b[6]);
    assertEquals(0, b[7]);
    int len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
    String header = new String(b, 10, len, StandardCharsets.US_ASCII);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
    assertTrue(header.endsWith("\n"));
    assertEquals(4f, ByteBuffer.wrap(b, 10 + len + 12, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
  }

  @Test
  void streamingWriterPatchesTheLeadingDimension() throws IOException {
    Path f = dir.resolve("w.npy");
    try (Npy.Float32Writer w = Npy.openFloat32(f, 2, 3)) {
      for (int i = 0; i < 5; i++) {
        w.append(new float[] {i, i, i, i, i, i + 0.5f});
      }
      assertThrows(IllegalArgumentException.class, () -> w.append(new float[5]));
    }
    Npy.NpyArray a = Npy.read(f);
    assertArrayEquals(new int[] {5, 2, 3}, a.shape());
    assertEquals(4.5f, a.toFloats()[29]);
  }

  /** Hand-made files in the other layouts numpy writes: big-endian, float64, int16, format 2.0. */
  private Path raw(String name, int major, String dict, byte[] data) throws IOException {
    int pre = major == 1 ? 10 : 12;
    int total = (pre + dict.length() + 1 + 63) / 64 * 64;
    ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) (total - pre));
    } else {
      b.putInt(total - pre);
    }
    b.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (b.position() < total - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n').put(data);
    Path f = dir.resolve(name);
    Files.write(f, b.array());
    return f;
  }

  @Test
  void readsFloat64Int16BigEndianAndVersion2() throws IOException {
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2.5);
    Npy.NpyArray f64 = Npy.read(raw("d.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d.array()));
    assertEquals(Npy.DType.FLOAT64, f64.dtype());
    assertArrayEquals(new double[] {0.1, -2.5}, f64.toDoubles());

    ByteBuffer s = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -32768).putShort((short) 7);
    Npy.NpyArray i16 = Npy.read(raw("s.npy", 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }", s.array()));
    assertArrayEquals(new double[] {-32768, 7}, i16.toDoubles());

    ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.25f).putFloat(-3f);
    Npy.NpyArray big = Npy.read(raw("b.npy", 2, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be.array()));
    assertArrayEquals(new float[] {1.25f, -3f}, big.toFloats());
  }

  @Test
  void badFilesGiveClearErrors() throws IOException {
    Path notNpy = dir.resolve("x.npy");
    Files.writeString(notNpy, "RIFF....WAVE");
    assertTrue(assertThrows(IOException.class, () -> Npy.read(notNpy)).getMessage().contains("not a .npy"));

    Path fortran = raw("f.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", new byte[4]);
    assertTrue(assertThrows(IOException.class, () -> Npy.read(fortran)).getMessage().contains("Fortran"));

    Path complex = raw("c.npy", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
    assertTrue(assertThrows(IOException.class, () -> Npy.read(complex)).getMessage().contains("dtype"));

    Path truncated = raw("t.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", new byte[8]);
    assertTrue(assertThrows(IOException.class, () -> Npy.read(truncated)).getMessage().contains("truncated"));

    assertThrows(IllegalArgumentException.class, () -> Npy.writeFloat32(dir.resolve("y.npy"), new float[5], 2, 3));
  }
}
