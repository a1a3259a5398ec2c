package io.holdout.api.sweep;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the trials of a sweep. Opened by its {@link SweepExecutorProvider} for one sweep and closed
 * after it.
 */
public interface SweepExecutor extends AutoCloseable {
  /**
   * Runs every task with {@code runner} and returns one status per task, in the order of {@code
   * tasks}. A trial that could not be run at all (its executor was lost) gets a failed status naming
   * why; this method throws only when the executor itself cannot work.
   *
   * @param done called on the calling thread with each status as it becomes known (in any order;
   *     an executor may call it only at the end)
   */
  List<TrialStatus> run(List<TrialTask> tasks, TrialRunner runner, Consumer<TrialStatus> done);

  /** A one-line description for the sweep's output, e.g. {@code spark local[2] (2 cores)}. */
  String describe();

  @Override
  void close();
}
