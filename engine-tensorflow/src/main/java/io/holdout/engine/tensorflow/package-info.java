/**
 * The TensorFlow backend ({@code tensorflow}) on TensorFlow Java in graph mode: a {@link
 * io.holdout.api.model.ModelSpec}, its loss components and its optimizer compile into one graph
 * whose training step and evaluation step are one {@code Session.run} each. Parameters keep
 * PyTorch's layouts (dense {@code [out, in]}, convolution OIHW) in resource variables; images are
 * turned to NHWC inside the graph for TensorFlow's CPU kernels, so weights move between engines
 * unchanged. Native libraries load on the first session, never when the Guice module is configured.
 */
package io.holdout.engine.tensorflow;
