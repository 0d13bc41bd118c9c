package org.humpback.transforms.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Name, shape and element type of one model input or output, as the runtime reports it.
 *
 * @param index position among the model's inputs (or outputs)
 * @param name tensor name (TFLite tensor name, SavedModel signature key, ONNX node name)
 * @param shape dimensions; -1 marks a dynamic dimension (usually the batch)
 * @param dtype element type in lower case: float32, float16, int8, uint8, int32, int64, ...
 */
public record TensorInfo(int index, String name, long[] shape, String dtype) implements Serializable {

  /** Number of elements of one batch item (all dims after the first), or -1 when one is dynamic. */
  public long elementsPerItem() {
    return elementsAfterFirst(shape);
  }

  /** The product of {@code shape}'s dimensions after the first, or -1 when one of them is dynamic. */
  static long elementsAfterFirst(long[] shape) {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return -1;
      }
      n *= shape[i];
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && index == t.index && name.equals(t.name)
        && Arrays.equals(shape, t.shape) && dtype.equals(t.dtype);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
