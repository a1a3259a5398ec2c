/**
 * Engine-neutral export of trained models as standalone files, and running such files: {@link
 * io.holdout.api.export.Exporter} writes a model with its preprocessing and postprocessing from an
 * {@link io.holdout.api.export.ExportRequest}, {@link io.holdout.api.export.ModelFile} runs a file on
 * raw inputs. Implementations come from engine modules on the class path, found through {@link
 * java.util.ServiceLoader} ({@link io.holdout.api.export.ExporterProvider} via {@link
 * io.holdout.api.export.Exporters}, {@link io.holdout.api.export.ModelFileProvider} via {@link
 * io.holdout.api.export.ModelFiles}), so neither the api nor the CLI depends on an engine.
 */
package io.holdout.api.export;
