/**
 * Data sources and dataset views: in-memory arrays ({@link io.holdout.datasets.ArrayDataset}),
 * subsets ({@link io.holdout.datasets.Subset}) and the {@link io.holdout.datasets.DatasetSource}
 * contract that CSV, image-folder, VOC, COCO and generated sources implement. Splitters live in
 * {@code split}, transforms in {@code transform}, the parallel loader in {@code loader}.
 */
package io.holdout.datasets;
