/**
 * Engine-neutral detection types: an image's ground-truth objects ({@link
 * io.holdout.api.detection.BoxTruth}), its decoded detections ({@link
 * io.holdout.api.detection.BoxPredictions}) and box geometry ({@link io.holdout.api.detection.Boxes}),
 * shared by the datasets module's decoding and NMS and the losses module's detection mAP.
 */
package io.holdout.api.detection;
