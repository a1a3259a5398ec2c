package io.holdout.losses.metrics;

import java.util.List;
import java.util.Objects;

/**
 * Per-class precision, recall and F1 with their averages, as computed from a {@link
 * ConfusionMatrix}.
 *
 * @param classes one entry per class index, present or not
 * @param macro unweighted mean over present classes (macro F1 is the mean of per-class F1s)
 * @param micro from counts pooled over classes; for single-label data all three equal the accuracy
 * @param weighted mean over classes weighted by support
 * @param accuracy fraction of samples predicted right
 * @param samples how many samples the report covers
 */
public record ClassificationReport(
    List<ClassScores> classes, Averages macro, Averages micro, Averages weighted, double accuracy,
    long samples) {
  public ClassificationReport {
    classes = List.copyOf(Objects.requireNonNull(classes, "classes is null"));
    Objects.requireNonNull(macro, "macro is null");
    Objects.requireNonNull(micro, "micro is null");
    Objects.requireNonNull(weighted, "weighted is null");
  }
}
