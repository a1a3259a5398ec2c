/**
 * The PyTorch backend, on DJL: {@link io.holdout.engine.pytorch.PyTorchBackend} compiles a neutral
 * {@link io.holdout.api.model.ModelSpec} into eager PyTorch operations on raw NDArrays, computes
 * every loss component of the catalogue, and applies {@code torch.optim}'s update rules itself, so
 * that parameter names, the math and the optimizer state are exactly the neutral ones. The native
 * libraries load lazily, on the first session or version query, from the bundled native jar;
 * nothing is downloaded at run time.
 */
package io.holdout.engine.pytorch;
