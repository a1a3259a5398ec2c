/**
 * Image sources: one folder per class ({@link io.holdout.datasets.image.ImageFolderSource}), Pascal
 * VOC ({@link io.holdout.datasets.image.VocSource}), COCO instances JSON ({@link
 * io.holdout.datasets.image.CocoSource}), the generated shapes detection set ({@link
 * io.holdout.datasets.image.ShapesSource}) and its one-shape-per-image classification set ({@link
 * io.holdout.datasets.image.ShapeClassesSource}). Images are decoded lazily, in {@code get}, so a
 * dataset larger than the heap can be streamed through the loader.
 */
package io.holdout.datasets.image;
