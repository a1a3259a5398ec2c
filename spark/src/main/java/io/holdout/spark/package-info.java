/**
 * The {@code spark} sweep executor: each trial of a {@code holdout sweep} is a Spark task. Found by
 * the CLI through {@link io.holdout.api.sweep.SweepExecutorProvider}; no Spark class is loaded
 * before {@code --executor spark} asks for it.
 */
package io.holdout.spark;
