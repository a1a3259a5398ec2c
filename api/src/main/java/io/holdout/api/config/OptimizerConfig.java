package io.holdout.api.config;

/**
 * The optimizer: {@code sgd}, {@code adam} (default) or {@code adamw}, with PyTorch's defaults for
 * absent values (lr 0.001, momentum 0, betas 0.9/0.999, eps 1e-8, weight decay 0, no clipping).
 */
public record OptimizerConfig(
    String type,
    Double lr,
    Double momentum,
    Boolean nesterov,
    Double weightDecay,
    Double beta1,
    Double beta2,
    Double eps,
    Double clipNorm) {}
