package io.holdout.api.config;

/**
 * The training loop.
 *
 * @param epochs number of epochs (default 10)
 */
public record TrainerConfig(Integer epochs) {}
