package org.humpback.transforms.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Reads the custom op names of a .tflite file straight from its flatbuffer, before any native code
 * sees the file: Flex ops must be known before the interpreter is built (their native libraries are
 * loaded first), and a file that is not a TFLite flatbuffer is rejected here with a clear message.
 * Every offset is bounds-checked; a bad one is a {@link ModelException}.
 */
final class TfLiteFlatbuffer {

  private static final int CUSTOM = 32; // BuiltinOperator.CUSTOM in schema.fbs

  private final String path;
  private final ByteBuffer buf;

  private TfLiteFlatbuffer(String path, ByteBuffer buf) {
    this.path = path;
    this.buf = buf;
  }

  /**
   * One SignatureDef of the model: its key and the names it gives to tensors of subgraph
   * {@code subgraph} (name → tensor index), e.g. {@code "audio" → 0}, {@code "output_0" → 187}.
   */
  record SignatureDef(String key, int subgraph, Map<String, Integer> inputs, Map<String, Integer> outputs) {}

  /** What the Java-side read finds: custom op names and signature definitions. */
  record Contents(List<String> customOps, List<SignatureDef> signatures) {}

  /** Custom op codes ("FlexAddV2", "TFLite_Detection_PostProcess", ...) the model's op table lists. */
  static List<String> customOps(String path) {
    return read(path).customOps();
  }

  /** Reads the op table and signature defs, validating every offset it follows. */
  static Contents read(String path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw ModelException.of(path, "cannot read TFLite model", e);
    }
    if (bytes.length < 16) {
      throw ModelException.of(path, "not a TFLite model (" + bytes.length + " bytes)");
    }
    if (bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
      throw ModelException.of(path, "not a TFLite model (no 'TFL3' flatbuffer identifier)");
    }
    TfLiteFlatbuffer fb = new TfLiteFlatbuffer(path, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    return new Contents(fb.readCustomOps(), fb.readSignatures());
  }

  private List<SignatureDef> readSignatures() {
    int model = u32(0);
    int defs = field(model, 7); // Model.signature_defs
    if (defs < 0) {
      return List.of();
    }
    List<SignatureDef> out = new ArrayList<>();
    int vec = defs + u32(defs);
    int n = u32(vec);
    for (int i = 0; i < n; i++) {
      int elem = vec + 4 + 4 * i;
      int table = elem + u32(elem);
      int keyField = field(table, 2);
      String key = keyField < 0 ? "" : string(keyField + u32(keyField));
      out.add(new SignatureDef(key, scalarInt(table, 4), tensorMaps(table, 0), tensorMaps(table, 1)));
    }
    return out;
  }

  private Map<String, Integer> tensorMaps(int signatureTable, int index) {
    int f = field(signatureTable, index);
    Map<String, Integer> map = new LinkedHashMap<>();
    if (f < 0) {
      return map;
    }
    int vec = f + u32(f);
    int n = u32(vec);
    for (int i = 0; i < n; i++) {
      int elem = vec + 4 + 4 * i;
      int table = elem + u32(elem);
      int nameField = field(table, 0);
      if (nameField >= 0) {
        map.put(string(nameField + u32(nameField)), scalarInt(table, 1));
      }
    }
    return map;
  }

  private List<String> readCustomOps() {
    int model = u32(0);
    int opCodes = field(model, 1);
    Set<String> names = new LinkedHashSet<>();
    if (opCodes < 0) {
      return List.of();
    }
    int vec = opCodes + u32(opCodes);
    int n = u32(vec);
    for (int i = 0; i < n; i++) {
      int elem = vec + 4 + 4 * i;
      int table = elem + u32(elem);
      int deprecated = scalarByte(table, 0);
      int builtin = scalarInt(table, 3);
      int code = Math.max(deprecated, builtin);
      int custom = field(table, 1);
      if (code == CUSTOM && custom >= 0) {
        names.add(string(custom + u32(custom)));
      }
    }
    return new ArrayList<>(names);
  }

  /** Absolute position of a table field, or -1 when absent. */
  private int field(int table, int index) {
    int vtable = table - i32(table);
    int vtSize = u16(vtable);
    int off = 4 + 2 * index;
    if (off + 2 > vtSize) {
      return -1;
    }
    int rel = u16(vtable + off);
    return rel == 0 ? -1 : table + rel;
  }

  private int scalarByte(int table, int index) {
    int p = field(table, index);
    if (p < 0) {
      return 0;
    }
    check(p, 1);
    return buf.get(p) & 0xff;
  }

  private int scalarInt(int table, int index) {
    int p = field(table, index);
    return p < 0 ? 0 : i32(p);
  }

  private String string(int pos) {
    int len = u32(pos);
    check(pos + 4, len);
    return new String(buf.array(), pos + 4, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  private int u32(int pos) {
    int v = i32(pos);
    if (v < 0) {
      throw ModelException.of(path, "corrupt TFLite flatbuffer (bad offset at byte " + pos + ")");
    }
    return v;
  }

  private int i32(int pos) {
    check(pos, 4);
    return buf.getInt(pos);
  }

  private int u16(int pos) {
    check(pos, 2);
    return buf.getShort(pos) & 0xffff;
  }

  private void check(int pos, int len) {
    if (pos < 0 || len < 0 || (long) pos + len > buf.capacity()) {
      throw ModelException.of(path, "truncated or corrupt TFLite flatbuffer (offset " + pos
          + " beyond " + buf.capacity() + " bytes)");
    }
  }
}
