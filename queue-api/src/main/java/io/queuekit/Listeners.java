package io.queuekit;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's listeners behind one guarded facade: a listener that throws (any {@link Throwable},
 * as Caffeine's {@code Guarded*} wrappers catch) is logged and otherwise ignored, so a metrics bug
 * never stalls a worker or leaves the rest of a batch unsettled.
 */
final class Listeners<T> implements QueueListener<T> {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final String queue;
  private final List<QueueListener<? super T>> listeners;

  Listeners(String queue, List<QueueListener<? super T>> listeners) {
    this.queue = queue;
    this.listeners = List.copyOf(listeners);
  }

  /** No listener is registered: callers may skip building events nobody would see. */
  boolean isEmpty() {
    return listeners.isEmpty();
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
}
