/**
 * The sweep executor SPI: how the trials of a {@code holdout sweep} are run. The CLI runs them one
 * after another in its own process; other modules (the {@code spark} module) add executors that are
 * found with {@link java.util.ServiceLoader} by name, so the CLI never loads their libraries unless
 * asked for them.
 */
package io.holdout.api.sweep;
