package io.holdout.api.config;

import java.util.Map;

/**
 * One loss component.
 *
 * @param name label in logs and metrics.csv (default: the type)
 * @param type catalogue name: {@code mse}, {@code cross_entropy}, ... (see docs/losses.md)
 * @param weight factor in the total (default 1)
 * @param output head it reads
 * @param target target it compares with (default: the head's target)
 * @param params type-specific parameters
 */
public record LossConfig(
    String name, String type, Double weight, String output, String target, Map<String, Object> params) {}
