package io.holdout.api.tensor;

/** Element types of neutral tensors. Names follow the safetensors header ("F32", "I64", ...). */
public enum DType {
  FLOAT32(4, "F32"),
  INT64(8, "I64"),
  INT32(4, "I32");

  private final int bytes;
  private final String safetensorsName;

  DType(int bytes, String safetensorsName) {
    this.bytes = bytes;
    this.safetensorsName = safetensorsName;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** The dtype string used in safetensors headers. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** Looks a dtype up by its safetensors name; returns null when unknown. */
  public static DType fromSafetensorsName(String name) {
    for (DType d : values()) {
      if (d.safetensorsName.equals(name)) {
        return d;
      }
    }
    return null;
  }
}
