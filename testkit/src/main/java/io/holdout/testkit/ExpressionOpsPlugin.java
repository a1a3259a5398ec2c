package io.holdout.testkit;

import static io.holdout.api.loss.LossExpression.constant;
import static io.holdout.api.loss.LossExpression.oneHotTarget;
import static io.holdout.api.loss.LossExpression.pred;
import static io.holdout.api.loss.LossExpression.target;

import io.holdout.api.data.TargetKind;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.CustomLoss.Normalisation;
import io.holdout.api.loss.LossExpression;

/**
 * Loss types that together use every operation of {@link LossExpression}, registered on the class
 * path of every backend's tests, so that {@link LossConformanceTest} (through {@code
 * io.holdout.checks.LossCases}) checks each backend's expression compiler, value and gradient,
 * against the pure-Java reference. Each keeps its operands in a well-conditioned range.
 */
public final class ExpressionOpsPlugin implements Plugin {
  @Override
  public String name() {
    return "testkit";
  }

  @Override
  public void register(Registry r) {
    LossExpression d = pred().sub(target());
    // log(cosh(d)) = softplus(2d) - d - log 2
    r.loss("expr_log_cosh", new CustomLoss(TargetKind.NUMBER, d.mul(2).softplus().sub(d).sub(Math.log(2)),
        Normalisation.ELEMENTS, "log cosh of the difference"));
    r.loss("expr_smooth_ops", new CustomLoss(TargetKind.NUMBER,
        d.tanh().mul(pred().sigmoid())
            .add(d.square().neg().exp())
            .add(d.abs().log1p())
            .add(d.square().add(1).sqrt())
            .add(target().square().add(2).log().div(constant(2))),
        Normalisation.ELEMENTS, "tanh, sigmoid, exp, log1p, sqrt, log and div"));
    r.loss("expr_kinks", new CustomLoss(TargetKind.NUMBER,
        d.relu().add(d.min(0.3).mul(pred().max(-0.2))).sub(d.abs().neg()).add(d.max(target())),
        Normalisation.SAMPLES, "relu, min, max, abs and neg"));
    r.loss("expr_class_nll", new CustomLoss(TargetKind.CLASS,
        oneHotTarget().mul(pred().logSoftmax()).neg()
            .add(constant(1).sub(oneHotTarget()).mul(pred().softplus()).mul(0.1))
            .add(pred().div(pred().abs().add(1)).mul(0.01)),
        Normalisation.SAMPLES, "negative log-likelihood plus a softplus penalty on the other classes"));
  }
}
