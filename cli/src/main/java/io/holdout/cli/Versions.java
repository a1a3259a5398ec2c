package io.holdout.cli;

/** Version of holdout itself, from the jar manifest (or "dev" when run from classes). */
public final class Versions {
  private Versions() {}

  public static String holdout() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
