/**
 * The data-parallel training SPI: an executor module (the {@code spark} module) wraps a session so that
 * each training step runs on several shards of the batch in parallel sessions, found with {@link
 * java.util.ServiceLoader} by name ({@code trainer.dataParallel.executor}), so nothing of the executor
 * loads unless a config asks for it.
 */
package io.holdout.api.parallel;
