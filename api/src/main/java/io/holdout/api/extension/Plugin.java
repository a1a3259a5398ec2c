package io.holdout.api.extension;

/**
 * A set of named parts (metrics, LR schedules, ...) that a Maven module contributes to holdout.
 *
 * <p>List the implementation in {@code META-INF/services/io.holdout.api.extension.Plugin}; every
 * plugin on the class path is found through {@link java.util.ServiceLoader} and its parts are
 * bound, next to the built-in ones (which register through plugins of their own), into the run's
 * injector. A plugin is plain Java: it needs no Guice. Its constructor must take no arguments and
 * do no work; {@link #register} only records factories.
 */
public interface Plugin {
  /** A short name for messages, e.g. {@code losses} or {@code plugin-example}. */
  String name();

  /** Records this plugin's parts, each under the name a config uses for it. */
  void register(Registry registry);
}
