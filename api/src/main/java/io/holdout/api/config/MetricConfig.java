package io.holdout.api.config;

import java.util.Map;

/**
 * A metric to compute on val (every epoch) and test (once).
 *
 * @param type catalogue name, e.g. {@code accuracy}, {@code mse}
 * @param output head it reads
 * @param target target it compares with (default: the head's target)
 * @param params metric parameters
 */
public record MetricConfig(String type, String output, String target, Map<String, Object> params) {}
