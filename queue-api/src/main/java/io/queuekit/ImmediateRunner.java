package io.queuekit;

import io.queuekit.internal.ItemSize;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code immediate} mode ({@link io.queuekit.spi.BaseQueue.Mode#IMMEDIATE}): each pushed item
 * is encoded, decoded and handled in the pushing thread, retried there without sleeping, and
 * never stored. What a {@link BatchRunner} is to a stored queue's workers, this is to an immediate
 * queue's pushers; {@link DefaultWorkerPoolQueue} calls it instead of the store.
 *
 * <p><b>Thread-safety:</b> thread-safe; each push runs on its own caller's thread, concurrently
 * with others, so the handler must be thread-safe as a stored queue's is. <b>Ordering:</b> a
 * {@code pushAll}'s items are handled in list order. <b>Durability:</b> none; an item not handled
 * is thrown back to the pusher ({@link UnhandledItemException}), never dropped.
 */
final class ImmediateRunner<T> {
  private static final Logger log = LoggerFactory.getLogger(ImmediateRunner.class);

  private final String name;
  private final QueueSettings settings;
  private final Codec<T> codec;
  private final Handling<T> handler;
  /** Stamps this push's first-push time, as a store would. */
  private final Clock clock;
  private final Counters counters;
  private final Listeners<T> listeners;

  ImmediateRunner(String name, QueueSettings settings, Codec<T> codec, Handling<T> handler,
      Clock clock, Counters counters, Listeners<T> listeners) {
    this.clock = clock;
    this.name = name;
    this.settings = settings;
    this.codec = codec;
    this.handler = handler;
    this.counters = counters;
    this.listeners = listeners;
  }

  /**
   * Encode, decode and handle in the caller's thread, up to max(MAX_DELIVERIES, 1) attempts
   * without sleeping; an item still unhandled is thrown back, never dropped. An interrupt of the
   * pushing thread ends the attempts, and its flag is kept. Counted and told to the listeners as
   * workers do (there is no delivery: delivery id 0): {@code onHandled} for the attempt that
   * handled it, {@code onRetry} (delay zero) for each failed attempt another one follows, and
   * every failed attempt counts unhandled; nothing is dead-lettered (a permanent failure is thrown
   * back too), so {@code onDeadLettered} is never called. A {@link DeliveryHandler} sees delivery
   * id 0, recovery count 0, the failed attempts so far as delivery count, and the time this push
   * began as first push.
   *
   * @param value the item as pushed
   * @param item its encoded form
   */
  PushResult handle(T value, Item item) {
    ItemSize.check(name, item, -1, settings.maxItemSize());
    T decoded;
    try {
      decoded = codec.decode(item.payload());
    } catch (Exception e) {
      throw new UnhandledItemException(name, value, 0, e);
    }
    int attempts = Math.max(settings.maxDeliveries(), 1);
    Instant pushed = clock.instant();
    Throwable last = null;
    for (int i = 1; i <= attempts; i++) {
      try {
        // no store: delivery id 0, no recovery; the failed attempts so far count as a store's do
        List<?> given = handler.batch(List.of(decoded),
            List.of(new Delivery(0, item.payload(), i - 1, 0, pushed)));
        Collection<?> unhandled = handler.handle(given);
        if (unhandled == null) {
          // as a worker treats it (BatchRunner): a broken contract must not drop the item
          log.error("queue \"{}\": handler returned null; treating the item as not handled", name);
          unhandled = given;
        }
        if (unhandled.isEmpty()) {
          counters.handled.increment();
          listeners.onHandled(event(decoded, i - 1));
          return PushResult.ADDED;
        }
        Object first = unhandled.iterator().next();
        if (first instanceof PermanentFailure) {
          counters.unhandled.increment();
          throw new UnhandledItemException(name, value, i, (PermanentFailure) first);
        }
        last = null;
      } catch (PermanentFailure pf) {
        counters.unhandled.increment();
        throw new UnhandledItemException(name, value, i, pf);
      } catch (UnhandledItemException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = e;
      } catch (Exception e) {
        last = e;
      }
      counters.unhandled.increment();
      if (Thread.currentThread().isInterrupted()) {
        throw new UnhandledItemException(name, value, i, last);
      }
      if (i < attempts) {
        listeners.onRetry(event(decoded, i));
      }
    }
    throw new UnhandledItemException(name, value, attempts, last);
  }

  /**
   * {@code pushAll}: every size checked first (one too large: fail naming its index, handle
   * nothing), as a store's pushAll does; then each item handled in order, stopping at the first
   * one not handled, whose exception names its index, carries the results before it and says the
   * items after it were not attempted.
   */
  List<PushResult> handleAll(List<? extends T> values, List<Item> items) {
    for (int i = 0; i < items.size(); i++) {
      ItemSize.check(name, items.get(i), i, settings.maxItemSize());
    }
    List<PushResult> results = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      try {
        results.add(handle(values.get(i), items.get(i)));
      } catch (UnhandledItemException e) {
        throw new UnhandledItemException(name, e, i, values.size(), results);
      }
    }
    return results;
  }

  /** An {@code immediate} queue's event: no store, so no delivery id, recovery or delay. */
  private ItemEvent<T> event(T item, int failedAttempts) {
    return new ItemEvent<>(name, Optional.ofNullable(item), 0, failedAttempts, 0, Duration.ZERO, "");
  }
}
