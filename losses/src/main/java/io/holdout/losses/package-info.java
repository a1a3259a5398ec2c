/** The loss catalogue: names, parameters and normalisation of every loss holdout knows. */
package io.holdout.losses;
