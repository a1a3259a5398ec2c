package io.holdout.api.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shape of a dataset's input and the description of each target, in a stable order. */
public record DatasetSchema(long[] inputShape, List<String> inputNames, Map<String, TargetInfo> targets) {
  public DatasetSchema {
    inputShape = inputShape.clone();
    inputNames = inputNames == null ? List.of() : List.copyOf(inputNames);
    targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
  }

  public TargetInfo target(String name) {
    TargetInfo t = targets.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no target '" + name + "' (targets: " + targets.keySet() + ")");
    }
    return t;
  }
}
