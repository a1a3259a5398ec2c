/**
 * The backend conformance suite: abstract JUnit 5 test classes that every backend module runs
 * against itself by subclassing {@link io.holdout.testkit.BackendConformanceTest} (or one of the
 * area classes it groups) and naming its {@link io.holdout.api.backend.Backend}. Tests skip, through
 * JUnit assumptions, what the backend's {@link io.holdout.api.backend.Capabilities} say it does not
 * offer, so a backend is "supported" exactly when it passes. The oracles are pure Java: the loss
 * reference of the losses module, a double-precision {@link io.holdout.checks.ReferenceModel}
 * with central finite differences, and {@link io.holdout.checks.ReferenceOptimizer}'s {@code
 * torch.optim} formulas.
 */
package io.holdout.testkit;
