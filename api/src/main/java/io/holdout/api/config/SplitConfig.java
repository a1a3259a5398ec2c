package io.holdout.api.config;

import java.util.Map;

/**
 * How samples are assigned to train, val and test (see docs/data.md).
 *
 * @param type {@code random} (default), {@code stratified}, {@code ordered} (time series: first
 *     samples train, no shuffling), {@code kfold} (one fold as val; {@code ratios.test} kept aside
 *     first), {@code lists} (predefined list files, e.g. VOC ImageSets) or {@code manifest} (replay a
 *     run's {@code split.json})
 * @param ratios part → fraction, summing to 1 (default train 0.7, val 0.15, test 0.15)
 * @param stratifyBy class target to stratify by ({@code stratified}, stratified {@code kfold})
 * @param folds {@code kfold}: number of folds (default 5)
 * @param fold {@code kfold}: which fold (0-based) is the validation part (default 0)
 * @param lists {@code lists}: part → file listing one sample id per line (relative to the config)
 * @param path {@code manifest}: a {@code split.json} written by an earlier run
 */
public record SplitConfig(
    String type,
    Map<String, Double> ratios,
    String stratifyBy,
    Integer folds,
    Integer fold,
    Map<String, String> lists,
    String path) {}
