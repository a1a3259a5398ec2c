/**
 * The ONNX Runtime backend ({@code onnx}) and the ONNX exporter. A {@link
 * io.holdout.api.model.ModelSpec} and its loss components compile into one ONNX graph (opset 18,
 * built in Java with the protobuf builders of the ONNX schema) whose weights are initializers;
 * an evaluation step is one ONNX Runtime {@code run}. Stock ONNX Runtime builds have no training
 * API, so a training step is generated too: forward, loss, reverse-mode gradients and the optimizer
 * update as one graph of standard operators ({@code TrainGraph}), whose parameters and optimizer
 * state stay in ONNX Runtime between steps. {@link io.holdout.engine.onnx.OnnxExport} writes
 * standalone inference models (optionally with SSD box decoding), and {@link
 * io.holdout.engine.onnx.OnnxModelFile} opens and checks {@code .onnx} files. Native libraries load
 * on the first session, never when the Guice module is configured.
 */
package io.holdout.engine.onnx;
