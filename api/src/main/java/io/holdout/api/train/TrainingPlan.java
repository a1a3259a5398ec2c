package io.holdout.api.train;

/**
 * What a run is about to do, announced before the first step: samples per split, batch size and
 * steps per epoch ({@code ceil(train / batch)}, or {@code floor} with drop-last).
 */
public record TrainingPlan(
    int trainSize, int valSize, int testSize, int batchSize, int stepsPerEpoch, int epochs) {}
