/**
 * The parallel {@link io.holdout.datasets.loader.DataLoader}: reads, transforms and collates
 * samples into direct-buffer batches in worker threads, in an order that does not depend on the
 * number of workers.
 */
package io.holdout.datasets.loader;
