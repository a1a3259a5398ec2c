package io.holdout.datasets;

import io.holdout.api.data.Dataset;

/**
 * Something that opens a {@link Dataset}: a CSV file, an image folder, a VOC or COCO tree, a
 * generator. Opening checks what is cheap to check (headers, annotation files); images are decoded
 * later, in {@link Dataset#get}.
 */
@FunctionalInterface
public interface DatasetSource {
  /**
   * Opens the dataset.
   *
   * @throws io.holdout.api.HoldoutException when the data is missing or malformed, naming the file
   *     and line or element
   */
  Dataset open();
}
