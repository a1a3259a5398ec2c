/** Guice bootstrap: one injector per run from the core module and the configured backend's module. */
package io.holdout.api.inject;
