package io.holdout.api.config;

/**
 * Engine settings that do not change results, only speed.
 *
 * @param intraOpThreads threads inside one operator (0 = engine default)
 * @param interOpThreads threads running independent operators (0 = engine default)
 */
public record EngineConfig(Integer intraOpThreads, Integer interOpThreads) {}
