/**
 * Per-sample transforms run by the loader's workers: {@link
 * io.holdout.datasets.transform.Standardizer} (fitted on the training part only), image resize,
 * normalisation, and random flips and crops that move detection boxes with the image.
 */
package io.holdout.datasets.transform;
