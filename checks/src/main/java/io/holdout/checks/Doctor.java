package io.holdout.checks;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.checks.LayerCases.LayerCase;
import io.holdout.checks.LossCases.LossCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Checks a backend's numerics on this machine, at the kernels its engine picks here: the forward
 * pass and the gradient of every layer case and head arrangement ({@link LayerCases}) against the
 * double-precision reference model, and every loss case ({@link LossCases}) against the pure-Java
 * loss reference. {@code holdout doctor} runs all of them for every backend; {@code holdout train}
 * runs the ones its model and loss rely on before the first epoch.
 */
public final class Doctor {
  private Doctor() {}

  /** What a run of checks found. */
  public record Report(String backend, List<CheckResult> results, double seconds) {
    public Report {
      results = List.copyOf(results);
    }

    /** The checks that computed a wrong number or failed. */
    public List<CheckResult> failures() {
      return results.stream().filter(r -> !r.passed()).toList();
    }

    /** True when every supported check passed. */
    public boolean passed() {
      return failures().isEmpty();
    }

    /** How many checks ran (unsupported ones excluded). */
    public long ran() {
      return results.stream().filter(r -> r.status() != CheckResult.Status.UNSUPPORTED).count();
    }

    /** {@code pytorch: 124 checks ok, 10 unsupported (1.8 s)} or the count and first failure. */
    public String summary() {
      long unsupported = results.size() - ran();
      String tail = (unsupported > 0 ? ", " + unsupported + " unsupported" : "")
          + String.format(Locale.ROOT, " (%.1f s)", seconds);
      List<CheckResult> f = failures();
      if (f.isEmpty()) {
        return backend + ": " + ran() + " checks ok" + tail;
      }
      CheckResult first = f.get(0);
      return backend + ": " + f.size() + " of " + ran() + " checks failed" + tail + "; first: " + first.check()
          + ": " + first.verdict();
    }
  }

  /** Every check of the catalogue; {@code each} sees each result as it is computed. */
  public static Report all(Backend backend, CheckSettings settings, Consumer<CheckResult> each) {
    return run(backend, LayerCases.all(), LossCases.all(), settings, false, each);
  }

  /** Loss cases per loss type in {@link #forModel}. */
  static final int QUICK_LOSS_CASES = 3;

  /**
   * The checks a model relies on, quickly: the layer cases of {@link LayerCases#covering} its layer
   * types at their first size, forward and gradient in one session, gradients compared along a
   * random direction per tensor ({@link LayerCheck#quick}), and the first {@value #QUICK_LOSS_CASES}
   * loss cases of each of its loss types.
   */
  public static Report forModel(Backend backend, ModelSpec model, LossSpec loss, CheckSettings settings) {
    List<LayerCase> layers = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (LayerCase c : LayerCases.covering(model.layerTypes())) {
      if (seen.add(c.base())) {
        layers.add(c);
      }
    }
    List<LossCase> losses = new ArrayList<>();
    java.util.Map<String, Integer> perType = new java.util.HashMap<>();
    for (LossCase c : LossCases.ofTypes(loss.types())) {
      if (perType.merge(c.spec().type(), 1, Integer::sum) <= QUICK_LOSS_CASES) {
        losses.add(c);
      }
    }
    return run(backend, layers, losses, settings, true, r -> {});
  }

  static Report run(Backend backend, List<LayerCase> layers, List<LossCase> losses, CheckSettings settings,
      boolean quick, Consumer<CheckResult> each) {
    long start = System.nanoTime();
    List<CheckResult> out = new ArrayList<>();
    for (LayerCase c : layers) {
      if (quick) {
        add(out, each, backend, "layers: " + c.title(), () -> LayerCheck.quick(backend, c, settings));
      } else {
        add(out, each, backend, "layers: " + c.title() + " forward", () -> LayerCheck.evaluation(backend, c, settings));
        add(out, each, backend, "layers: " + c.title() + " gradient", () -> LayerCheck.gradients(backend, c, settings));
      }
    }
    for (LossCase c : losses) {
      add(out, each, backend, "losses: " + c.title(), () -> LossCheck.run(backend, c, settings));
    }
    return new Report(backend.name(), out, (System.nanoTime() - start) / 1e9);
  }

  private static void add(List<CheckResult> out, Consumer<CheckResult> each, Backend backend, String name,
      Supplier<CheckResult> check) {
    CheckResult r;
    try {
      r = check.get();
    } catch (HoldoutException e) {
      // a backend refuses what it does not offer with a user error; the checks' inputs are valid
      r = CheckResult.unsupported(backend.name(), name, e.getMessage());
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      r = new CheckResult(backend.name(), name, CheckResult.Status.ERROR, Double.NaN, 0,
          msg.lines().findFirst().orElse(msg));
    }
    out.add(r);
    each.accept(r);
  }
}
