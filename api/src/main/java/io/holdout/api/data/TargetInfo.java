package io.holdout.api.data;

import java.util.List;

/**
 * Describes one target of a dataset: its kind, per-sample shape and, for classes, their names in
 * index order.
 */
public record TargetInfo(TargetKind kind, long[] shape, List<String> classes) {
  public TargetInfo {
    shape = shape.clone();
    classes = classes == null ? List.of() : List.copyOf(classes);
  }

  public static TargetInfo number(int width) {
    return new TargetInfo(TargetKind.NUMBER, new long[] {width}, List.of());
  }

  public static TargetInfo classes(List<String> names) {
    return new TargetInfo(TargetKind.CLASS, new long[0], names);
  }

  public int classCount() {
    return classes.size();
  }

  /** Output units a head needs to predict this target. */
  public int units() {
    if (kind == TargetKind.CLASS) {
      return classes.size();
    }
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return (int) n;
  }
}
