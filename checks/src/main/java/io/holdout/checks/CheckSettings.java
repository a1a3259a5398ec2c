package io.holdout.checks;

import io.holdout.api.backend.Device;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import java.util.Objects;

/**
 * Where the checks run: the device and the engine's thread counts. Engines pick kernels by thread
 * count too, so {@code holdout train} checks with the experiment's own settings.
 *
 * @param intraOpThreads threads inside one operator (0 = the engine's default)
 * @param interOpThreads threads across operators (0 = the engine's default)
 * @param precision the type the engine computes in
 */
public record CheckSettings(Device device, int intraOpThreads, int interOpThreads, Precision precision) {
  /** One intra-op and one inter-op thread on the CPU (the conformance suite's setting). */
  public static final CheckSettings SINGLE_THREAD = new CheckSettings(Device.CPU, 1, 1);

  public CheckSettings {
    Objects.requireNonNull(device, "device is null");
    Objects.requireNonNull(precision, "precision is null");
  }

  /** float32 checks. */
  public CheckSettings(Device device, int intraOpThreads, int interOpThreads) {
    this(device, intraOpThreads, interOpThreads, Precision.FLOAT32);
  }

  /** A session spec of these settings with seed 42. */
  public SessionSpec spec(ModelSpec model, Weights w, LossSpec loss, OptimizerSpec opt) {
    return new SessionSpec(model, w, loss, opt, device, 42, intraOpThreads, interOpThreads, precision);
  }

  /** {@code cpu, 2 intra-op / 1 inter-op threads} ({@code default} for 0). */
  public String describe() {
    return device.name().toLowerCase(java.util.Locale.ROOT) + ", intra-op threads "
        + (intraOpThreads == 0 ? "default" : intraOpThreads) + ", inter-op threads "
        + (interOpThreads == 0 ? "default" : interOpThreads)
        + (precision == Precision.FLOAT32 ? "" : ", " + precision.key());
  }
}
