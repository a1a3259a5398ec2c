package io.holdout.api.backend;

import java.util.Map;

/**
 * An engine that can run experiments. Implementations live in their own Maven modules and are
 * bound by Guice through a {@link BackendProvider} found on the class path.
 */
public interface Backend {
  /** The name used in config, e.g. {@code pytorch}. */
  String name();

  /** Versions worth recording: the holdout module and the native engine, e.g. {@code torch=2.7.1}. */
  Map<String, String> versions();

  Capabilities capabilities();

  /**
   * Opens a session after checking {@link #capabilities()}. Native libraries are loaded here at the
   * latest, never in Guice modules.
   */
  TrainingSession open(SessionSpec spec);
}
