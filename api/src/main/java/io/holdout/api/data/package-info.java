/** Datasets, samples, schemas, splits and the loader contract the trainer consumes. */
package io.holdout.api.data;
