/** Guice bootstrap: one injector per run from the core module, the registered parts and the configured backend. */
package io.holdout.api.inject;
