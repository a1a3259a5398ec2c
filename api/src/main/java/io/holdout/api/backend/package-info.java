/**
 * The backend SPI: {@link io.holdout.api.backend.Backend}, its sessions and explicit capabilities,
 * and class-path discovery of backend modules.
 */
package io.holdout.api.backend;
