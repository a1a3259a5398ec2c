/** Portable files: safetensors weights and atomic writes. */
package io.holdout.api.io;
