package io.holdout.api.data;

import io.holdout.api.tensor.Batch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One example: an id (row number, file name) and named fields. The input is named {@link
 * Batch#INPUT}; targets are named as in the dataset's {@link DatasetSchema}.
 */
public record Sample(String id, Map<String, Field> fields) {
  public Sample {
    Objects.requireNonNull(id, "id is null");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public Field field(String name) {
    Field f = fields.get(name);
    if (f == null) {
      throw new IllegalArgumentException("sample " + id + " has no field '" + name + "'");
    }
    return f;
  }

  public Field input() {
    return field(Batch.INPUT);
  }
}
