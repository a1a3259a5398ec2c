/** Pure-Java reference math for every loss: the oracle of all backend tests. */
package io.holdout.losses.reference;
