/**
 * Engine-neutral core of holdout: the types every backend, data source and front end share. Nothing
 * in this module depends on a deep-learning engine.
 */
package io.holdout.api;
