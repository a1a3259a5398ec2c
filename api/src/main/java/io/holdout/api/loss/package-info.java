/** Loss specifications (named, weighted components) and their reported breakdowns. */
package io.holdout.api.loss;
