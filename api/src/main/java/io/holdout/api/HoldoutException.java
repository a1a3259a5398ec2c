package io.holdout.api;

/**
 * A problem with the user's input (config, data, checkpoint, command line) rather than a bug.
 *
 * <p>Its message is one line that names the file, key or row at fault, so the CLI prints it as is and
 * exits with code 2, without a stack trace.
 */
public class HoldoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HoldoutException(String message) {
    super(message);
  }

  public HoldoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
