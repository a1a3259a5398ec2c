package io.holdout.sweep;

import io.holdout.api.HoldoutException;
import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.SweepExecutorProvider;
import io.holdout.api.sweep.TrialRunner;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The default executor: the trials one after another in this process, or {@code --parallel N} at a
 * time on N threads of it (they share the process's cores and memory, as {@code local[N]} does).
 */
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
      String p = options.getOrDefault("parallel", "1");
      int n;
      try {
        n = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new HoldoutException("--parallel must be a whole number >= 1, got '" + p + "'");
      }
      return new InProcessExecutor(n);
    }
  }

  private final int parallel;

  InProcessExecutor(int parallel) {
    this.parallel = parallel;
  }

  @Override
  public List<TrialStatus> run(List<TrialTask> tasks, TrialRunner runner, Consumer<TrialStatus> done) {
    if (parallel == 1) {
      List<TrialStatus> out = new ArrayList<>();
      for (TrialTask t : tasks) {
        TrialStatus s = runner.run(t);
        out.add(s);
        done.accept(s);
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "holdout-trial");
      t.setDaemon(true);
      return t;
    });
    try {
      CompletionService<TrialStatus> cs = new ExecutorCompletionService<>(pool);
      Map<String, TrialStatus> byId = new HashMap<>();
      for (TrialTask t : tasks) {
        cs.submit(() -> runner.run(t));
      }
      RuntimeException stopped = null;
      for (int i = 0; i < tasks.size(); i++) {
        try {
          TrialStatus s = cs.take().get();
          byId.put(s.id(), s);
          done.accept(s);
        } catch (ExecutionException e) {
          // a runner records every failure of its trial; only an interruption (Ctrl-C) comes out here
          if (stopped == null) {
            stopped = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new HoldoutException("interrupted while waiting for the trials");
        }
      }
      if (stopped != null) {
        throw stopped;
      }
      return tasks.stream().map(t -> byId.get(t.id())).toList();
    } finally {
      pool.shutdownNow();
    }
  }

  @Override
  public String describe() {
    return parallel == 1 ? "in-process, one trial after another"
        : "in-process, " + parallel + " trials at a time (threads of this process)";
  }

  @Override
  public void close() {}
}
