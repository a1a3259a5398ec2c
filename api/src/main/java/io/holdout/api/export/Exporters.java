package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import java.util.List;
import java.util.ServiceLoader;

/** Discovers export formats on the class path through {@link ServiceLoader} ({@link ExporterProvider}). */
public final class Exporters {
  private Exporters() {}

  /** Every export format present, sorted by name. */
  public static List<ExporterProvider> discover() {
    return Providers.discover(ExporterProvider.class, ExporterProvider::format, "an export format");
  }

  /** The names of the export formats present, sorted. */
  public static List<String> formats() {
    return discover().stream().map(ExporterProvider::format).toList();
  }

  /**
   * The exporter of {@code format}.
   *
   * @throws HoldoutException with one line listing the formats present when none is named so
   */
  public static Exporter find(String format) {
    return find(discover(), format);
  }

  /**
   * The exporter of {@code format} among {@code providers} (e.g. the registry's).
   *
   * @throws HoldoutException with one line listing the formats present when none is named so
   */
  public static Exporter find(java.util.Collection<ExporterProvider> providers, String format) {
    return Providers.find(List.copyOf(providers), ExporterProvider::format, format, "export format").exporter();
  }
}
