package io.holdout.api.optim;

import java.util.List;
import java.util.Objects;

/**
 * An engine-neutral optimizer. Types: {@code sgd} (momentum, Nesterov, L2 weight decay added to the
 * gradient), {@code adam} (L2 weight decay added to the gradient) and {@code adamw} (decoupled weight
 * decay). {@code clipNorm > 0} clips gradients by their global L2 norm before the update.
 *
 * <p>Update rules follow PyTorch's {@code torch.optim} exactly, so engines agree number for number.
 */
public record OptimizerSpec(
    String type,
    double lr,
    double momentum,
    boolean nesterov,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double clipNorm) {

  /** Optimizer type names every backend is asked to know. */
  public static final List<String> TYPES = List.of("sgd", "adam", "adamw");

  public OptimizerSpec {
    Objects.requireNonNull(type, "optimizer type is null");
    if (!(lr > 0)) {
      throw new IllegalArgumentException("optimizer lr must be > 0, got " + lr);
    }
  }

  public static OptimizerSpec sgd(double lr, double momentum) {
    return new OptimizerSpec("sgd", lr, momentum, false, 0, 0.9, 0.999, 1e-8, 0);
  }

  public static OptimizerSpec adam(double lr) {
    return new OptimizerSpec("adam", lr, 0, false, 0, 0.9, 0.999, 1e-8, 0);
  }

  public OptimizerSpec withLr(double newLr) {
    return new OptimizerSpec(type, newLr, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm);
  }

  /**
   * Checks the hyper-parameters of the built-in types (weight decay, momentum and Nesterov for
   * {@code sgd}; betas and eps for {@code adam} and {@code adamw}).
   *
   * @throws io.holdout.api.HoldoutException one line naming the optimizer and the value
   */
  public void checkHyperParameters() {
    String where = "optimizer '" + type + "'";
    require(weightDecay >= 0, where + ": weight_decay must be >= 0, got " + weightDecay);
    if (type.equals("sgd")) {
      require(momentum >= 0, where + ": momentum must be >= 0, got " + momentum);
      require(!nesterov || momentum > 0, where + ": nesterov needs momentum > 0");
    } else if (type.equals("adam") || type.equals("adamw")) {
      require(beta1 >= 0 && beta1 < 1, where + ": beta1 must be in [0, 1), got " + beta1);
      require(beta2 >= 0 && beta2 < 1, where + ": beta2 must be in [0, 1), got " + beta2);
      require(eps >= 0, where + ": eps must be >= 0, got " + eps);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new io.holdout.api.HoldoutException(message);
    }
  }
}
