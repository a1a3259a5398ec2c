package io.holdout.datasets.internal;

/**
 * A small, fully specified pseudo-random generator (SplitMix64) so that splits, shuffles and
 * augmentations depend only on the seed, never on the JDK version or on thread scheduling.
 */
public final class Rng implements java.util.random.RandomGenerator {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** Mixes several values (seed, epoch, index, ...) into one well-spread seed. */
  public static long mix(long... parts) {
    long h = 0x243F6A8885A308D3L;
    for (long p : parts) {
      h = finish(h ^ finish(p + GOLDEN));
    }
    return h;
  }

  private static long finish(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public long nextLong() {
    state += GOLDEN;
    return finish(state);
  }

  /** Uniform in {@code [0, bound)}, without modulo bias. */
  @Override
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    int m = bound - 1;
    int r = (int) (nextLong() >>> 33);
    if ((bound & m) == 0) {
      return (int) ((bound * (long) r) >> 31);
    }
    // reject values from the last, incomplete block of [0, 2^31)
    for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
      // draw again
    }
    return r;
  }

  /** Uniform in {@code [0, 1)} with 24 bits. */
  @Override
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in {@code [0, 1)} with 53 bits. */
  @Override
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  @Override
  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /** Standard normal (Box-Muller). */
  @Override
  public double nextGaussian() {
    double u = 1.0 - nextDouble();
    double v = nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles {@code a} in place (Fisher-Yates). */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** {@code 0..n-1} in an order that depends only on {@code seed}. */
  public static int[] permutation(int n, long seed) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    new Rng(seed).shuffle(a);
    return a;
  }
}
