package io.holdout.api.config;

/**
 * One layer: {@code dense} (units), {@code relu}, {@code dropout} (rate), {@code flatten}, {@code
 * conv2d} (filters, kernel, stride, padding), {@code batchnorm}, {@code maxpool} (kernel, stride).
 */
public record LayerConfig(
    String type,
    Integer units,
    Double rate,
    Integer filters,
    Integer kernel,
    Integer stride,
    Integer padding) {}
