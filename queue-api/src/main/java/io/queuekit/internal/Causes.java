package io.queuekit.internal;

/**
 * Looks through an exception's cause chain, stopping at a cause that is its own (which some
 * libraries set).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class Causes {
  private Causes() {}

  /** The first throwable of {@code type} in {@code e}'s chain, {@code e} included, or null. */
  public static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
