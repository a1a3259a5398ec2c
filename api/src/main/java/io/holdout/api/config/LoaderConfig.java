package io.holdout.api.config;

/**
 * How batches are formed.
 *
 * @param batchSize samples per step (default 32)
 * @param shuffle reshuffle the training split every epoch (default true)
 * @param dropLast drop the last short training batch (default false)
 * @param numWorkers background threads that read and transform samples (0 = training thread)
 * @param prefetch batches prepared ahead when workers are used (default 2 per worker)
 */
public record LoaderConfig(
    Integer batchSize, Boolean shuffle, Boolean dropLast, Integer numWorkers, Integer prefetch) {}
