/**
 * The typed experiment configuration read from YAML, with command-line overrides and strict
 * validation (unknown keys and wrong types are errors naming the key).
 */
package io.holdout.api.config;
