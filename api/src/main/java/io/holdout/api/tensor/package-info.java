/** Neutral tensors in direct little-endian buffers, and batches of them. */
package io.holdout.api.tensor;
