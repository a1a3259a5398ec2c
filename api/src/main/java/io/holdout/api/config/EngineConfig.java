package io.holdout.api.config;

/**
 * Engine settings that do not change results, only speed (and the engine's self-check).
 *
 * @param intraOpThreads threads inside one operator (0 = engine default)
 * @param interOpThreads threads running independent operators (0 = engine default)
 * @param selfCheck check, before the first epoch, that the engine computes the forward pass and the
 *     gradients of the model's layer types and losses right on this machine (default true)
 */
public record EngineConfig(Integer intraOpThreads, Integer interOpThreads, Boolean selfCheck) {}
