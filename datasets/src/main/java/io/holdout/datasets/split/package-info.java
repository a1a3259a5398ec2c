/**
 * Seeded, deterministic splitters (random, stratified, grouped, k-fold, predefined, ordered), the
 * split manifest that records and reproduces a split, and the leakage check that finds identical
 * samples on both sides of a split.
 */
package io.holdout.datasets.split;
