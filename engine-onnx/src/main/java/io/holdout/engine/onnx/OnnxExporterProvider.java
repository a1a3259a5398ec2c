package io.holdout.engine.onnx;

import io.holdout.api.export.Exporter;
import io.holdout.api.export.ExporterProvider;

/**
 * Service-provider entry of this module's export format ({@code META-INF/services/io.holdout.api
 * .export.ExporterProvider}): format {@value OnnxExporter#FORMAT}, artifact {@code
 * holdout-engine-onnx}.
 */
public final class OnnxExporterProvider implements ExporterProvider {
  @Override
  public String format() {
    return OnnxExporter.FORMAT;
  }

  @Override
  public String artifact() {
    return "holdout-engine-onnx";
  }

  @Override
  public Exporter exporter() {
    return new OnnxExporter();
  }
}
