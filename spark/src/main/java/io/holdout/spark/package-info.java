/**
 * Holdout on Spark. The {@code spark} sweep executor: each trial of a {@code holdout sweep} is a Spark
 * task, found by the CLI through {@link io.holdout.api.sweep.SweepExecutorProvider}; no Spark class is
 * loaded before {@code --executor spark} asks for it. {@link io.holdout.spark.DataParallel}: data-parallel
 * training of one model by parameter averaging over shards (a Java API; no CLI option yet).
 */
package io.holdout.spark;
