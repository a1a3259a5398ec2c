package io.holdout.api.export;

/**
 * Service-provider entry of an export format, listed in {@code
 * META-INF/services/io.holdout.api.export.ExporterProvider}. It must be cheap: no native loading
 * until {@link #exporter()}.
 */
public interface ExporterProvider {
  /** The format's name, e.g. {@code onnx}. */
  String format();

  /** Maven artifact that provides it, for messages such as "add holdout-engine-onnx". */
  String artifact();

  /** The exporter. */
  Exporter exporter();
}
