package io.holdout.api.config;

import java.util.List;

/**
 * A whole experiment as written in YAML. Every key is known: an unknown key is an error naming it.
 * Absent sections take the defaults documented in {@code docs/config.md}; {@link ConfigLoader}
 * fills them in and validates the result.
 *
 * @param name experiment name, used in the run folder name
 * @param seed one seed from which splits, initial weights, shuffling and dropout derive
 * @param backend engine: {@code pytorch}, {@code tensorflow}, {@code onnx} (whatever is on the class
 *     path)
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param runs folder under which run folders are created (relative to the working directory)
 * @param detection anchors, box encoding and NMS of a detection experiment (absent otherwise)
 */
public record ExperimentConfig(
    String name,
    Long seed,
    String backend,
    String device,
    DataConfig data,
    SplitConfig split,
    LoaderConfig loader,
    ModelConfig model,
    List<LossConfig> loss,
    OptimizerConfig optimizer,
    TrainerConfig trainer,
    List<MetricConfig> metrics,
    EngineConfig engine,
    String runs,
    DetectionConfig detection) {}
