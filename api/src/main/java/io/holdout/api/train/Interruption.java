package io.holdout.api.train;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process-wide request to stop training at the next safe point: between two steps, or between
 * two evaluation batches. A signal handler (Ctrl-C, SIGTERM) asks for it instead of letting the
 * process exit under a running engine call, whose native state the exit would tear down; the
 * loop then throws {@link TrainingInterruptedException}, the session closes, and the last
 * checkpoint stays the place to resume from.
 */
public final class Interruption {
  private static volatile boolean requested;
  private static final AtomicInteger ACTIVE = new AtomicInteger();

  private Interruption() {}

  /** Asks every running training loop and evaluation to stop at its next safe point. */
  public static void request() {
    requested = true;
  }

  /** Whether a stop was asked for. */
  public static boolean requested() {
    return requested;
  }

  /** Forgets a request (a new run in the same process). */
  public static void clear() {
    requested = false;
  }

  /** Whether a training loop or evaluation is running now (so a signal handler has one to wait for). */
  public static boolean active() {
    return ACTIVE.get() > 0;
  }

  static void enter() {
    ACTIVE.incrementAndGet();
  }

  static void exit() {
    ACTIVE.decrementAndGet();
  }

  /** Throws when a stop was asked for; {@code where} says where the loop stands. */
  static void check(String where) {
    if (requested) {
      throw new TrainingInterruptedException("interrupted " + where);
    }
  }
}
