/**
 * Reading tables from CSV files: {@link io.holdout.datasets.csv.CsvSource} (typed columns, a
 * required header, a missing-value policy) opens a {@link io.holdout.datasets.csv.CsvDataset}.
 */
package io.holdout.datasets.csv;
