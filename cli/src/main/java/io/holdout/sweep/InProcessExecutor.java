package io.holdout.sweep;

import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.SweepExecutorProvider;
import io.holdout.api.sweep.TrialRunner;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The default executor: the trials one after another in this process. */
public final class InProcessExecutor implements SweepExecutor {
  /** Registered in {@code META-INF/services} under the name {@code inprocess}. */
  public static final class Provider implements SweepExecutorProvider {
    @Override
    public String name() {
      return "inprocess";
    }

    @Override
    public String artifact() {
      return "holdout-cli";
    }

    @Override
    public SweepExecutor open(Map<String, String> options) {
      return new InProcessExecutor();
    }
  }

  @Override
  public List<TrialStatus> run(List<TrialTask> tasks, TrialRunner runner, Consumer<TrialStatus> done) {
    List<TrialStatus> out = new ArrayList<>();
    for (TrialTask t : tasks) {
      TrialStatus s = runner.run(t);
      out.add(s);
      done.accept(s);
    }
    return out;
  }

  @Override
  public String describe() {
    return "in-process, one trial after another";
  }

  @Override
  public void close() {}
}
