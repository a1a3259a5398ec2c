/**
 * SSD object detection around a multi-scale model head: default boxes ({@link
 * io.holdout.datasets.detection.Anchors}), IoU matching and centre/size target encoding as a loader
 * transform ({@link io.holdout.datasets.detection.AnchorMatcher}, {@link
 * io.holdout.datasets.detection.BoxCoder}, {@link io.holdout.datasets.detection.BoxEncoder}), and,
 * at evaluation, decoding with per-class non-maximum suppression into the api's {@link
 * io.holdout.api.detection.BoxPredictions} and {@link io.holdout.api.detection.BoxTruth} that
 * {@code DetectionMap} scores ({@link
 * io.holdout.datasets.detection.BoxDecoder}, {@link io.holdout.datasets.detection.Nms}, {@link
 * io.holdout.datasets.detection.GroundTruth}, {@link
 * io.holdout.datasets.detection.DetectionEvaluator}). See {@code docs/detection.md}.
 */
package io.holdout.datasets.detection;
