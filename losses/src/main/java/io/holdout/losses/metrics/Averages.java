package io.holdout.losses.metrics;

/** Precision, recall and F1 averaged over classes one way (macro, micro or support-weighted). */
public record Averages(double precision, double recall, double f1) {}
