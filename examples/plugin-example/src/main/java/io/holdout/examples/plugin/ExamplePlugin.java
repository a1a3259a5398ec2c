package io.holdout.examples.plugin;

import static io.holdout.api.loss.LossExpression.pred;
import static io.holdout.api.loss.LossExpression.target;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetKind;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;
import java.util.Map;

/**
 * The example's parts: the loss type {@code log_cosh} (with its parameter {@code scale}), the
 * metric {@code within_tolerance}, the callback {@code epoch_log}, the training augmentation
 * {@code gaussian_noise} and the optimizer {@code lion} ({@link Lion}).
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
  public static final CustomLoss LOG_COSH = logCosh(1);

  /**
   * {@code log(cosh(scale·d))}: {@code scale} sets where the loss turns from quadratic ({@code
   * scale²·d²/2}) to linear ({@code scale·|d| - log 2}), about at {@code |d| = 1/scale}.
   */
  public static CustomLoss logCosh(double scale) {
    LossExpression d = scale == 1 ? pred().sub(target()) : pred().sub(target()).mul(scale);
    return new CustomLoss(TargetKind.NUMBER, d.mul(2).softplus().sub(d).sub(Math.log(2)),
        CustomLoss.Normalisation.ELEMENTS, scale == 1 ? "mean of log(cosh(prediction - target)) over every element"
            : "mean of log(cosh(" + scale + "·(prediction - target))) over every element");
  }

  /** The loss of a {@code log_cosh} entry: {@code params.scale}, a number > 0 (default 1). */
  static CustomLoss logCosh(Map<String, Object> params) {
    Object s = params.get("scale");
    if (!(s instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
      throw new HoldoutException("parameter 'scale' must be a number > 0, got " + (s instanceof String ? "'" + s + "'"
          : s));
    }
    return n.doubleValue() == 1 ? LOG_COSH : logCosh(n.doubleValue());
  }

  @Override
  public String name() {
    return "plugin-example";
  }

  @Override
  public void register(Registry registry) {
    registry.loss("log_cosh", Map.of("scale", 1.0), ExamplePlugin::logCosh);
    registry.metric(WithinTolerance.TYPE, WithinTolerance::fromConfig);
    registry.callback(EpochLog.TYPE, EpochLog::fromContext);
    registry.optimizer(Lion.TYPE, Lion::fromConfig);
    registry.transform(GaussianNoise.TYPE, GaussianNoise::fromConfig);
  }
}
