package io.holdout.api.model;

/**
 * One tensor of a model's state: its portable name, shape and role. {@code fanIn} is what the
 * default initialisation scales by.
 */
public record ParamInfo(String name, long[] shape, Role role, int fanIn) {
  public ParamInfo {
    shape = shape.clone();
  }

  /** What a state tensor is; only weights, biases, gamma and beta are trained. */
  public enum Role {
    WEIGHT,
    BIAS,
    BN_GAMMA,
    BN_BETA,
    BN_RUNNING_MEAN,
    BN_RUNNING_VAR;

    public boolean trainable() {
      return this != BN_RUNNING_MEAN && this != BN_RUNNING_VAR;
    }
  }
}
