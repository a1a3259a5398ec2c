/**
 * Numerics checks of a backend on the machine it runs on. Engines pick kernels by instruction set,
 * cache sizes, thread counts and tensor shapes, so a backend that passes on one CPU can compute a
 * wrong gradient on another; these checks compare what the engine computes here with pure-Java,
 * double-precision references: {@link io.holdout.checks.ReferenceModel} (outputs, and gradients by
 * central finite differences) and the losses module's reference math. {@link
 * io.holdout.checks.Doctor} runs the catalogue ({@code holdout doctor}, and the subset a model relies
 * on before {@code holdout train}); the conformance suite in testkit asserts the same checks.
 */
package io.holdout.checks;
