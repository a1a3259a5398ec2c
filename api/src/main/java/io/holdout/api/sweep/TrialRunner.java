package io.holdout.api.sweep;

import java.io.Serializable;

/**
 * Runs one trial where an executor puts it (this thread, another thread, another JVM): trains,
 * validates and tests the trial's config into its run folder. Serializable, so a cluster executor
 * can ship it with the task; it must never throw for a failed trial (a bad value, a NaN loss, out of
 * memory): it records the failure in the trial's folder and returns it.
 */
@FunctionalInterface
public interface TrialRunner extends Serializable {
  TrialStatus run(TrialTask task);
}
