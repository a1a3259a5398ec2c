/** The engine-neutral metric contract and monitor directions. */
package io.holdout.api.metrics;
