package io.holdout.benchmarks;

import io.holdout.api.backend.Device;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.extension.Parts;
import io.holdout.api.inject.Bootstrap;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Two backends trained side by side on a detection example, from the same initial weights on the
 * same batches: every step's loss components on each and the largest weight difference (and
 * where), so that a reader sees where two engines part.
 *
 * <pre>
 * java -cp ... io.holdout.benchmarks.StepParity --config examples/shapes-mb2-ssd-lite.yaml \
 *     --backends pytorch,tensorflow --steps 20 --precision float64 [--threads 2] [--second-threads 1]
 *     [--second-switch holdout.pytorch.memoryFormat=channelsLast]
 * </pre>
 *
 * The optimizer is the config's at its base learning rate, or {@code --optimizer sgd:LR:MOMENTUM}
 * / {@code adam:LR}; {@code --schedule true} follows the config's learning-rate schedule over the
 * first epoch (warm-up included), as {@code holdout train} does.
 */
public final class StepParity {
  private StepParity() {}

  public static void main(String[] args) {
    Path config = Path.of("examples/shapes-mb2-ssd-lite.yaml");
    List<String> backends = List.of("pytorch", "tensorflow");
    int steps = 20;
    int threads = 2;
    Integer secondThreads = null;
    String secondSwitch = null;
    Precision precision = Precision.FLOAT64;
    String optimizer = null;
    boolean schedule = false;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--config" -> config = Path.of(v);
        case "--backends" -> backends = List.of(v.split(","));
        case "--steps" -> steps = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--second-threads" -> secondThreads = Integer.parseInt(v);
        case "--second-switch" -> secondSwitch = v;
        case "--precision" -> precision = Precision.parse(v);
        case "--optimizer" -> optimizer = v;
        case "--schedule" -> schedule = Boolean.parseBoolean(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    var loaded = ConfigLoader.load(config, List.of());
    ExperimentConfig c = loaded.config();
    ExampleBenchmark.Example ex = ExampleBenchmark.Example.of(config, c, steps);
    var opt = ex.optimizer();
    if (optimizer != null) {
      // sgd:LR:MOMENTUM or adam:LR
      String[] p = optimizer.split(":");
      opt = p[0].equals("sgd") ? OptimizerSpec.sgd(Double.parseDouble(p[1]), Double.parseDouble(p[2]))
          : OptimizerSpec.adam(Double.parseDouble(p[1]));
    }
    List<TrainingSession> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < backends.size(); i++) {
        int t = i == 1 && secondThreads != null ? secondThreads : threads;
        if (i == 1 && secondSwitch != null) {
          // an engine switch read when a session opens, e.g. holdout.pytorch.memoryFormat=channelsLast
          String[] kv = secondSwitch.split("=", 2);
          System.setProperty(kv[0], kv[1]);
        }
        sessions.add(ExampleBenchmark.backend(backends.get(i)).open(new SessionSpec(ex.spec(), ex.init(), ex.loss(),
            opt, Device.CPU, c.seed(), t, 1, precision)));
      }
      System.out.printf(Locale.ROOT, "%s, %s, %s, %s lr %g, %d steps of %d%n", config, String.join(" vs ", backends),
          precision.key(), opt.type(), opt.lr(), steps, ex.batchSize());
      // the config's schedule over its first epoch: steps per epoch from its training split
      var lrs = Bootstrap.injector(loaded).getInstance(Parts.class)
          .schedule(c.trainer().schedule(), config.toString());
      long trainCount = Math.round(c.data().count() * c.split().ratios().get("train"));
      int perEpoch = (int) Math.ceil(trainCount / (double) ex.batchSize());
      for (int step = 0; step < steps; step++) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %2d", step + 1));
        if (schedule) {
          double lr = lrs.lr(opt.lr(), 0, step, perEpoch, c.trainer().epochs());
          sessions.forEach(x -> x.setLearningRate(lr));
          line.append(String.format(Locale.ROOT, " lr %.3g", lr));
        }
        for (TrainingSession s : sessions) {
          LossBreakdown l = s.trainStep(ex.batches().get(step));
          line.append(String.format(Locale.ROOT, " | %.12f", l.total()));
        }
        Weights a = sessions.get(0).weights();
        Weights b = sessions.get(1).weights();
        double worst = 0;
        String where = "";
        for (var e : a.tensors().entrySet()) {
          float[] u = e.getValue().toFloatArray();
          float[] w = b.get(e.getKey()).toFloatArray();
          for (int i = 0; i < u.length; i++) {
            double d = Math.abs((double) u[i] - w[i]);
            if (d > worst) {
              worst = d;
              where = e.getKey() + "[" + i + "]";
            }
          }
        }
        line.append(String.format(Locale.ROOT, " | largest weight difference %.3e at %s", worst, where));
        System.out.println(line);
      }
    } finally {
      sessions.forEach(TrainingSession::close);
    }
  }
}
