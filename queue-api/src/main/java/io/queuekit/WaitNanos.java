package io.queuekit;

import java.time.Duration;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The waits of one {@link BatchEvent} as nanoseconds, shown as an immutable list of durations made
 * on demand: a batch's event is built for every handler call while a listener is bound, and a
 * metrics binder reads each wait once as a number ({@link BatchEvent#waitNanos}), so holding one
 * {@code Duration} per item would be garbage made on the hot path for nobody.
 *
 * <p>Immutable: the array is the builder's own and never written after construction.
 */
final class WaitNanos extends AbstractList<Duration> implements RandomAccess {
  private final long[] nanos;

  WaitNanos(long[] nanos) {
    this.nanos = nanos;
  }

  long nanos(int i) {
    return nanos[i];
  }

  @Override
  public Duration get(int index) {
    return Duration.ofNanos(nanos[index]);
  }

  @Override
  public int size() {
    return nanos.length;
  }
}
