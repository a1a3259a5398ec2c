package io.holdout.api.config;

import io.holdout.api.backend.Precision;

/**
 * Engine settings: threads and the self-check change only speed; precision changes the arithmetic.
 *
 * @param intraOpThreads threads inside one operator (0 = engine default)
 * @param interOpThreads threads running independent operators (0 = engine default)
 * @param selfCheck check, before the first epoch, that the engine computes the forward pass and the
 *     gradients of the model's layer types and losses right on this machine (default true)
 * @param precision {@code float32} (default) or {@code float64}: the type the engine computes in
 *     (see {@link Precision}); files hold float32 either way
 */
public record EngineConfig(Integer intraOpThreads, Integer interOpThreads, Boolean selfCheck, String precision) {
  /** {@link #precision} parsed (the validator refuses unknown spellings). */
  public Precision precisionType() {
    Precision p = Precision.parse(precision);
    return p == null ? Precision.FLOAT32 : p;
  }
}
