package io.holdout.api.config;

import java.util.List;

/**
 * The training loop and its decisions.
 *
 * @param epochs number of epochs (default 10)
 * @param monitor what plateau decisions watch: {@code val.total} (default), {@code val.<component>}
 *     or {@code val.<metric>}; its direction comes from the metric itself
 * @param minDelta smallest change that counts as an improvement (default 0)
 * @param earlyStopping stop after {@code patience} epochs without improvement (absent = off)
 * @param plateau lower the learning rate on a plateau (absent = off)
 * @param schedule learning-rate schedule (default constant)
 * @param checkpoints write best and last checkpoints every epoch (default true)
 * @param testOnBest evaluate the test split on the best weights, not the last (default true)
 * @param progress {@code auto} (a bar on a terminal, plain lines otherwise), {@code bar}, {@code
 *     lines} or {@code none}
 * @param progressSeconds at most one plain progress line per this many seconds (default 10)
 * @param intervals bootstrap confidence intervals of the test metrics (default 1000 resamples, 95%)
 * @param callbacks names of registered callbacks to run with the loop after the default ones, in
 *     order; {@code -NAME} switches the default callback NAME off (default none)
 * @param dataParallel train data-parallel on an executor such as Spark (absent = in this process)
 */
public record TrainerConfig(
    Integer epochs,
    String monitor,
    Double minDelta,
    EarlyStoppingConfig earlyStopping,
    PlateauConfig plateau,
    ScheduleConfig schedule,
    Boolean checkpoints,
    Boolean testOnBest,
    String progress,
    Double progressSeconds,
    IntervalsConfig intervals,
    List<String> callbacks,
    DataParallelConfig dataParallel) {

  /**
   * Data-parallel training: every global batch ({@code loader.batchSize}) is cut into {@code shards}
   * parts, each trained by its own session on an executor; every {@code localSteps} steps the
   * sessions' weights and optimizer state are averaged (weighted by the samples each shard saw).
   * Validation and test run in this process, as without it.
   *
   * @param executor the executor that runs the shards (default {@code spark})
   * @param master where it runs: {@code local[N]} embedded (default {@code local[<shards>]}),
   *     {@code spark://host:port}, {@code yarn}, {@code k8s://...}
   * @param shards sessions training side by side (default 2)
   * @param localSteps steps each shard takes between averages (default 1: every step)
   */
  public record DataParallelConfig(String executor, String master, Integer shards, Integer localSteps) {}

  /**
   * Percentile bootstrap of the test metrics, seeded with the experiment's seed.
   *
   * @param resamples how many resamples (default 1000; 0 turns intervals off)
   * @param level confidence level in (0, 1) (default 0.95)
   */
  public record IntervalsConfig(Integer resamples, Double level) {}

  /** @param patience epochs without improvement before stopping (> 0) */
  public record EarlyStoppingConfig(Integer patience) {}

  /**
   * @param factor multiply the learning rate by this (0 < factor < 1, default 0.1)
   * @param patience epochs without improvement before lowering (default 5)
   * @param cooldown epochs to wait after a drop before counting again (default 0)
   * @param minLr never below this (default 0)
   */
  public record PlateauConfig(Double factor, Integer patience, Integer cooldown, Double minLr) {}

  /**
   * @param type {@code constant}, {@code step}, {@code multistep} or {@code cosine}
   * @param stepEpochs for {@code step}: epochs between drops
   * @param gamma for {@code step}/{@code multistep}: factor per drop (default 0.1)
   * @param milestones for {@code multistep}: epochs (1-based) at which the rate drops
   * @param warmupEpochs for {@code cosine}: linear warm-up length in epochs (default 0)
   * @param minLr for {@code cosine}: final learning rate (default 0)
   */
  public record ScheduleConfig(
      String type, Integer stepEpochs, Double gamma, List<Integer> milestones, Double warmupEpochs, Double minLr) {}
}
