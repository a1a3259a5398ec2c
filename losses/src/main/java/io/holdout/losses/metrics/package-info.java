/**
 * Engine-neutral metrics computed from head outputs and targets ({@link
 * io.holdout.losses.metrics.MetricCatalog} creates them by config name), their richer results
 * (confusion matrix, per-class scores), detection mAP over decoded boxes, and seeded bootstrap
 * confidence intervals.
 */
package io.holdout.losses.metrics;
