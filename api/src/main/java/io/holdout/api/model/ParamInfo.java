package io.holdout.api.model;

/**
 * One tensor of a model's state: its portable name, shape and role. {@code fanIn} is what the
 * default initialisation of weights and biases scales by; {@code fill} is the initial value of a
 * {@link Role#SCALE}.
 */
public record ParamInfo(String name, long[] shape, Role role, int fanIn, double fill) {
  public ParamInfo {
    shape = shape.clone();
  }

  /** A tensor whose initialisation needs no fill value. */
  public ParamInfo(String name, long[] shape, Role role, int fanIn) {
    this(name, shape, role, fanIn, 0);
  }

  /** What a state tensor is; only weights, biases, gamma and beta are trained. */
  public enum Role {
    WEIGHT,
    BIAS,
    BN_GAMMA,
    BN_BETA,
    BN_RUNNING_MEAN,
    BN_RUNNING_VAR,
    /** A learned per-channel multiplier (layer norm's, L2 norm's), initialised to {@code fill}. */
    SCALE,
    /** A learned per-channel shift (layer norm's), initialised to 0. */
    SHIFT,
    /** An embedding table, initialised normal(0, 1) as PyTorch's. */
    EMBEDDING;

    public boolean trainable() {
      return this != BN_RUNNING_MEAN && this != BN_RUNNING_VAR;
    }
  }
}
