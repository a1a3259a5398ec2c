package io.holdout.examples.plugin;

import static io.holdout.api.loss.LossExpression.pred;
import static io.holdout.api.loss.LossExpression.target;

import io.holdout.api.data.TargetKind;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;

/**
 * The example's parts: the loss type {@code log_cosh}, the metric {@code within_tolerance}, the
 * callback {@code epoch_log} and the optimizer {@code lion} ({@link Lion}).
 * Listed in {@code META-INF/services/io.holdout.api.extension.Plugin}, so putting this jar on the
 * class path is all it takes; configs then name them like built-in ones.
 */
public final class ExamplePlugin implements Plugin {
  /**
   * {@code log(cosh(d))}, {@code d = prediction - target}: about {@code d²/2} near 0 and {@code |d| -
   * log 2} far from it, so outliers pull linearly, as with Huber, but with no kink. Written with the
   * expression operations as {@code softplus(2d) - d - log 2}, which does not overflow for large
   * {@code |d|}; averaged over every element like {@code mse}.
   */
  public static final CustomLoss LOG_COSH;

  static {
    LossExpression d = pred().sub(target());
    LOG_COSH = new CustomLoss(TargetKind.NUMBER, d.mul(2).softplus().sub(d).sub(Math.log(2)),
        CustomLoss.Normalisation.ELEMENTS, "mean of log(cosh(prediction - target)) over every element");
  }

  @Override
  public String name() {
    return "plugin-example";
  }

  @Override
  public void register(Registry registry) {
    registry.loss("log_cosh", LOG_COSH);
    registry.metric(WithinTolerance.TYPE, WithinTolerance::fromConfig);
    registry.callback(EpochLog.TYPE, EpochLog::fromContext);
    registry.optimizer(Lion.TYPE, Lion::fromConfig);
  }
}
