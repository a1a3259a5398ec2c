/** Engine-neutral metrics computed from head outputs and targets. */
package io.holdout.losses.metrics;
