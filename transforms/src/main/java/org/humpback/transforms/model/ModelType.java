package org.humpback.transforms.model;

/** The model runtimes humpback can run. Wire names are the seed's {@code model_type} values. */
public enum ModelType {
  TFLITE("tflite"),
  TF2_SAVED_MODEL("tf2_saved_model"),
  ONNX("onnx");

  private final String wireName;

  ModelType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static ModelType fromWireName(String name) {
    for (ModelType t : values()) {
      if (t.wireName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("Invalid model_type: '" + name + "' (expected tflite, tf2_saved_model or onnx)");
  }
}
