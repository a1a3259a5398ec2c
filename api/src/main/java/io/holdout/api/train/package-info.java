/**
 * The engine-neutral training loop (train, validate every epoch, test once at the end) and its
 * listener hooks.
 */
package io.holdout.api.train;
