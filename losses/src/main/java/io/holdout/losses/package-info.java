/**
 * The loss catalogue: the names, parameters, defaults and normalisation of every loss holdout knows
 * ({@link io.holdout.losses.LossCatalog}, typed parameters in {@link io.holdout.losses.LossParams}),
 * and chance-level {@link io.holdout.losses.Baselines} for reading a loss value. The math itself is
 * in {@code io.holdout.losses.reference}; metrics are in {@code io.holdout.losses.metrics}.
 */
package io.holdout.losses;
