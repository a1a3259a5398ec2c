package io.holdout.api.config;

import java.util.Map;

/**
 * How samples are assigned to train, val and test.
 *
 * @param type {@code random} (default) or {@code stratified}
 * @param ratios part → fraction, summing to 1 (default train 0.7, val 0.15, test 0.15)
 * @param stratifyBy class target to stratify by ({@code stratified} only)
 */
public record SplitConfig(String type, Map<String, Double> ratios, String stratifyBy) {}
