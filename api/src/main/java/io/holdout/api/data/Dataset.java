package io.holdout.api.data;

import java.util.OptionalLong;

/**
 * A random-access collection of samples. Implementations may read lazily (images are decoded in
 * {@link #get}); {@link #get} must be safe to call from several loader threads at once.
 */
public interface Dataset {
  DatasetSchema schema();

  int size();

  /** Reads sample {@code index}; a bad sample raises a {@code HoldoutException} naming its source. */
  Sample get(int index);

  /** Where sample {@code index} comes from (file and line, image path), for error messages. */
  default String describe(int index) {
    return "sample " + index;
  }

  /**
   * The class label of sample {@code index} for {@code target}, if cheap to know without decoding
   * the sample (used by stratified splitters); empty otherwise.
   */
  default OptionalLong label(int index, String target) {
    return OptionalLong.empty();
  }
}
