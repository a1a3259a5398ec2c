/**
 * Pure-Java reference math for every loss in the catalogue, in double precision: values, per-sample
 * values and gradients. It is the oracle of every backend's tests; {@link
 * io.holdout.losses.reference.ReferenceLosses} is the entry point.
 */
package io.holdout.losses.reference;
