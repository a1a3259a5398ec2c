/** Engine-neutral model specifications (layers, heads), parameter layout and portable weights. */
package io.holdout.api.model;
