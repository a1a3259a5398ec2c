/**
 * The loss catalogue: the names, parameters, defaults and normalisation of every loss holdout knows
 * ({@link io.holdout.losses.LossCatalog}, typed parameters in {@link io.holdout.losses.LossParams}),
 * a loss resolved once against a model's heads for every engine ({@link
 * io.holdout.losses.ResolvedLoss}: typed, checked parameters, target checks and each batch's
 * denominators, the counts of exact split losses), and chance-level {@link
 * io.holdout.losses.Baselines} for reading a loss value. The math itself is in {@code
 * io.holdout.losses.reference}; metrics are in {@code io.holdout.losses.metrics}.
 */
package io.holdout.losses;
