package io.holdout.api.config;

import io.holdout.api.HoldoutException;

/** A config file that cannot be read, parsed or validated; the message names the file and key. */
public final class ConfigException extends HoldoutException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
