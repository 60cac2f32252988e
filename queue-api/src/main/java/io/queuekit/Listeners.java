package io.queuekit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's listeners behind one guarded facade: a listener that throws (any {@link Throwable},
 * as Caffeine's {@code Guarded*} wrappers catch) is logged and otherwise ignored, so a metrics bug
 * never stalls a worker or leaves the rest of a batch unsettled.
 *
 * <p>Thread-safe. Copy-on-write: adding or removing a listener (rare: a metrics binder, an admin
 * view) copies the list; reading it is one volatile read, so a queue nobody listens to pays only
 * {@link #isEmpty()} on its hot paths. A listener added while an event is being told may or may
 * not hear that event.
 */
final class Listeners<T> implements QueueListener<T> {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final String queue;
  private volatile List<QueueListener<? super T>> listeners;
  /** Some listener overrides {@code onHandled}; written with {@link #listeners}, under the lock. */
  private volatile boolean hearsHandled;

  Listeners(String queue, List<QueueListener<? super T>> listeners) {
    this.queue = queue;
    set(List.copyOf(listeners));
  }

  /** No listener is registered: callers may skip building events nobody would see. */
  boolean isEmpty() {
    return listeners.isEmpty();
  }

  /**
   * Some listener overrides {@link QueueListener#onHandled}: the one event told per item of every
   * batch, so callers skip building it when every listener keeps the empty default (a metrics
   * binder counts handled items from the stats, not from this event).
   */
  boolean hearsHandled() {
    return hearsHandled;
  }

  synchronized void add(QueueListener<? super T> listener) {
    List<QueueListener<? super T>> next = new ArrayList<>(listeners);
    next.add(Objects.requireNonNull(listener, "listener"));
    set(List.copyOf(next));
  }

  /** Removes one registration of {@code listener}; false when it was not registered. */
  synchronized boolean remove(QueueListener<? super T> listener) {
    List<QueueListener<? super T>> next = new ArrayList<>(listeners);
    boolean removed = next.remove(listener);
    set(List.copyOf(next));
    return removed;
  }

  private void set(List<QueueListener<? super T>> next) {
    hearsHandled = next.stream().anyMatch(Listeners::overridesOnHandled);
    listeners = next;
  }

  private static boolean overridesOnHandled(QueueListener<?> l) {
    try {
      return l.getClass().getMethod("onHandled", ItemEvent.class).getDeclaringClass()
          != QueueListener.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError("QueueListener declares onHandled(ItemEvent)", e);
    }
  }

  private interface Call<T> {
    void on(QueueListener<? super T> l, ItemEvent<T> e);
  }

  private void each(String what, ItemEvent<T> event, Call<T> call) {
    for (QueueListener<? super T> l : listeners) {
      try {
        call.on(l, event);
      } catch (Throwable e) {
        log.error("queue \"{}\": listener {} threw from {}", queue, l, what, e);
      }
    }
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void onHandled(ItemEvent<T> event) {
    each("onHandled", event, (l, e) -> ((QueueListener) l).onHandled(e));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void onRetry(ItemEvent<T> event) {
    each("onRetry", event, (l, e) -> ((QueueListener) l).onRetry(e));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void onDeadLettered(ItemEvent<T> event) {
    each("onDeadLettered", event, (l, e) -> ((QueueListener) l).onDeadLettered(e));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void onRecovered(ItemEvent<T> event) {
    each("onRecovered", event, (l, e) -> ((QueueListener) l).onRecovered(e));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void onStale(ItemEvent<T> event) {
    each("onStale", event, (l, e) -> ((QueueListener) l).onStale(e));
  }

  @Override
  public void onPushed(String queueName, PushResult result) {
    for (QueueListener<? super T> l : listeners) {
      try {
        l.onPushed(queueName, result);
      } catch (Throwable e) {
        log.error("queue \"{}\": listener {} threw from onPushed", queue, l, e);
      }
    }
  }

  @Override
  public void onBatch(BatchEvent event) {
    for (QueueListener<? super T> l : listeners) {
      try {
        l.onBatch(event);
      } catch (Throwable e) {
        log.error("queue \"{}\": listener {} threw from onBatch", queue, l, e);
      }
    }
  }
}
