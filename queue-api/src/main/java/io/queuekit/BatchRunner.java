package io.queuekit;

import io.queuekit.internal.GoDuration;
import io.queuekit.internal.Nanos;
import io.queuekit.internal.Previews;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one batch through the handler and settles every delivery of it: ack what was handled,
 * release what was not (with backoff), dead-letter what cannot be decoded, what the handler calls
 * a {@link PermanentFailure} and what reached {@code MAX_DELIVERIES}. Ports Gitea's {@code
 * doWorkerHandle} and {@code safeHandler}, without its losses: a throwing handler loses nothing,
 * and a store failing some of the settle calls keeps none of the others from going through (each
 * delivery's call is applied, and retried, on its own: {@link Settlement}).
 *
 * <p>Thread-safe: {@link #run} is called by many worker threads at once.
 */
final class BatchRunner<T> {
  private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

  private final String queue;
  private final BaseQueue base;
  private final Codec<T> codec;
  private final Handling<T> handler;
  private final QueueSettings settings;
  private final Backoff backoff;
  private final Listeners<T> listeners;
  private final Counters counters;
  /** The queue's clock: an item's wait is measured from its stored first-push time. */
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  /** Told how many deliveries left this process's hands (the prefetch bound counts them). */
  private final IntConsumer onSettled;
  /** Told of a batch HANDLER_TIMEOUT has settled while its handler still runs. */
  private final Consumer<Batch> onTimedOut;
  /** Settlements registered and not done: shutdown gives each a last attempt. */
  private final Set<Settlement> open = ConcurrentHashMap.newKeySet();
  /** A settle call of this queue keeps failing (logged once per outage). */
  private final AtomicBoolean settleFailing = new AtomicBoolean();

  BatchRunner(String queue, BaseQueue base, Codec<T> codec, Handling<T> handler,
      QueueSettings settings, Backoff backoff, Listeners<T> listeners, Counters counters,
      Clock clock, ScheduledExecutorService scheduler, IntConsumer onSettled,
      Consumer<Batch> onTimedOut) {
    this.queue = queue;
    this.base = base;
    this.codec = codec;
    this.handler = handler;
    this.settings = settings;
    this.backoff = backoff;
    this.listeners = listeners;
    this.counters = counters;
    this.clock = clock;
    this.scheduler = scheduler;
    this.onSettled = onSettled;
    this.onTimedOut = onTimedOut;
  }

  /** Runs {@code batch} on the calling (worker) thread. */
  void run(Batch batch) {
    if (!batch.begin(Thread.currentThread())) {
      return; // shutdown gave it back while it waited for this worker: no handler saw it
    }
    List<Delivery> deliveries = batch.deliveries;
    List<T> items = new ArrayList<>(deliveries.size());
    List<Delivery> decoded = new ArrayList<>(deliveries.size());
    List<Delivery> undecodable = new ArrayList<>();
    List<String> decodeErrors = new ArrayList<>();
    VirtualMachineError fatal = null;
    for (Delivery d : deliveries) {
      T item = null;
      try {
        item = codec.decode(d.payload());
        if (item == null) {
          // no batch can hold it (List.copyOf): it would fail its batch-mates on every delivery
          undecodable.add(d);
          decodeErrors.add("cannot decode item: the codec returned null");
          continue;
        }
        items.add(item);
        decoded.add(d);
      } catch (Exception e) {
        undecodable.add(d);
        decodeErrors.add("cannot decode item: " + e.getMessage());
      } catch (Error e) {
        // Escaping here would leave the whole batch unsettled (in flight, and held against the
        // prefetch bound for good): it is undecodable like any other, and a VirtualMachineError
        // is passed on to the worker once the batch is settled, as from the handler.
        undecodable.add(d);
        decodeErrors.add("cannot decode item: " + e);
        if (e instanceof VirtualMachineError && fatal == null) {
          fatal = (VirtualMachineError) e;
        }
      } finally {
        if (d.recoveryCount() > 0) {
          // after decoding, so the event carries the item (empty only when it cannot be decoded)
          counters.recovered.increment();
          listeners.onRecovered(event(d, item, d.deliveryCount(), Duration.ZERO, ""));
        }
      }
    }

    Verdicts verdicts = new Verdicts(items.size());
    if (!items.isEmpty()) {
      List<?> given = handler.batch(items, decoded);
      ScheduledFuture<?> timeout = scheduleTimeout(batch, decoded, items, undecodable,
          decodeErrors);
      // measured only for listeners (metrics): a queue nobody listens to reads no clock here
      boolean timed = !listeners.isEmpty();
      Instant startedAt = timed ? clock.instant() : null;
      long startNanos = timed ? System.nanoTime() : 0;
      try {
        Collection<?> returned = handler.handle(given);
        if (returned == null) {
          log.error("queue \"{}\": handler returned null for a batch of {} items; treating them as "
              + "not handled", queue, items.size());
          verdicts.allUnhandled();
        } else {
          verdicts.match(returned, given, items);
        }
      } catch (PermanentFailure pf) {
        verdicts.allUnhandled();
        verdicts.permanent(pf, given, items);
      } catch (VirtualMachineError e) {
        // Settled as not handled like any failure, then passed on to the worker thread.
        log.error("queue \"{}\": handler threw {} for a batch of {} items; they will be retried",
            queue, e, items.size());
        fatal = e;
        verdicts.allUnhandled();
      } catch (Throwable e) {
        if (!batch.settled()) {
          log.warn("queue \"{}\": handler failed for a batch of {} items; they will be retried",
              queue, items.size(), e);
        }
        verdicts.allUnhandled();
      } finally {
        if (timeout != null) {
          timeout.cancel(false);
        }
        if (timed) {
          listeners.onBatch(batchEvent(decoded, startedAt, System.nanoTime() - startNanos));
        }
      }
    }
    // No interrupt aimed at the handler (timeout, shutdown) comes after this, so none reaches the
    // worker's next batch; one that came must not break the settle calls.
    batch.ended();
    Thread.interrupted();

    Settlement settlement = settlement(batch);
    if (!settlement.arm(() -> steps(decoded, items, verdicts, undecodable, decodeErrors))) {
      open.remove(settlement);
      // HANDLER_TIMEOUT or shutdown settled the batch while the handler ran: its verdict is late.
      for (Delivery d : deliveries) {
        counters.stale.increment();
        listeners.onStale(event(d, null, d.deliveryCount(), Duration.ZERO, "settled while the handler ran"));
      }
      if (fatal != null) {
        throw fatal;
      }
      return;
    }
    settlement.start();
    if (fatal != null) {
      throw fatal;
    }
  }

  private BatchEvent batchEvent(List<Delivery> decoded, Instant startedAt, long handlerNanos) {
    long[] waits = new long[decoded.size()];
    for (int i = 0; i < waits.length; i++) {
      // another process's clock may run ahead: never negative
      waits[i] = Math.max(0, Nanos.between(decoded.get(i).firstPushed(), startedAt));
    }
    return new BatchEvent(queue, decoded.size(), Duration.ofNanos(handlerNanos),
        new WaitNanos(waits));
  }

  private ScheduledFuture<?> scheduleTimeout(Batch batch, List<Delivery> decoded, List<T> items,
      List<Delivery> undecodable, List<String> decodeErrors) {
    Duration limit = settings.handlerTimeout();
    if (limit.isZero()) {
      return null;
    }
    // the decoded items by delivery id, so the release's events carry them as the normal path's do
    Map<Long, T> byId = new HashMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      byId.put(decoded.get(i).id(), items.get(i));
    }
    // and why each undecodable one failed: the timeout settles them too, as undecodable
    Map<Long, String> errors = new HashMap<>();
    for (int i = 0; i < undecodable.size(); i++) {
      errors.put(undecodable.get(i).id(), decodeErrors.get(i));
    }
    try {
      return scheduler.schedule(() -> timedOut(batch, limit, byId, errors), Nanos.of(limit),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Thrown from here it would leave the batch unsettled, in flight and held for good.
      log.error("queue \"{}\": the scheduler has stopped; this batch of {} runs without "
          + "HANDLER_TIMEOUT", queue, batch.size(), e);
      return null;
    }
  }

  /**
   * HANDLER_TIMEOUT passed: release the batch (unless settled meanwhile), then interrupt. Once the
   * store took the release, {@code onTimedOut} hears of it: a handler that ignores the interrupt
   * must hold neither a worker's place nor the recovered lane. The batch's undecodable deliveries,
   * which no handler saw, are dead-lettered as undecodable, as the handler's own settle would.
   */
  private void timedOut(Batch batch, Duration limit, Map<Long, T> items,
      Map<Long, String> undecodable) {
    Settlement settlement = settlement(batch, () -> onTimedOut.accept(batch));
    if (!settlement.arm(() -> {
      List<Settlement.Step> steps = new ArrayList<>();
      for (Delivery d : batch.deliveries) {
        String error = undecodable.get(d.id());
        steps.add(error != null ? deadLetter(d, null, error, DeadLetterCause.UNDECODABLE)
            : retryOrDie(d, items.get(d.id()), "handler ran longer than HANDLER_TIMEOUT"));
      }
      return steps;
    })) {
      open.remove(settlement);
      return;
    }
    log.warn("queue \"{}\": handler ran longer than HANDLER_TIMEOUT={}; interrupting it and "
        + "releasing its batch of {}", queue, GoDuration.format(limit), batch.size());
    try {
      settlement.start();
    } finally {
      batch.interruptRunner();
    }
  }

  /** A settlement of {@code batch}, registered where shutdown finds it, not yet armed. */
  private Settlement settlement(Batch batch) {
    return settlement(batch, () -> { });
  }

  /** As {@link #settlement(Batch)}; {@code whenDone} runs once nothing is left to apply. */
  private Settlement settlement(Batch batch, Runnable whenDone) {
    Settlement[] self = new Settlement[1];
    self[0] = new Settlement(queue, batch, scheduler, settleFailing, onSettled, () -> {
      open.remove(self[0]);
      whenDone.run();
    });
    open.add(self[0]);
    return self[0];
  }

  /**
   * Shutdown, once it has claimed the settlement of every batch it could: the settle calls still
   * waiting for a retry get one last attempt now, before the store is closed.
   */
  void finishSettlements() {
    for (Settlement s : List.copyOf(open)) {
      s.finishNow();
      open.remove(s); // one that lost the claim to shutdown applies nothing: forget it
    }
  }

  /** The store calls that settle a batch: its verdicts, in batch order, then the undecodable. */
  private List<Settlement.Step> steps(List<Delivery> decoded, List<T> items, Verdicts verdicts,
      List<Delivery> undecodable, List<String> decodeErrors) {
    List<Settlement.Step> steps = new ArrayList<>();
    List<Delivery> handled = new ArrayList<>(decoded.size());
    List<T> handledItems = new ArrayList<>(decoded.size());
    for (int i = 0; i < decoded.size(); i++) {
      Delivery d = decoded.get(i);
      T item = items.get(i);
      if (verdicts.reasons[i] != null) {
        steps.add(deadLetter(d, item, verdicts.reasons[i], DeadLetterCause.PERMANENT));
      } else if (verdicts.unhandled[i]) {
        steps.add(retryOrDie(d, item, null));
      } else {
        handled.add(d);
        handledItems.add(item);
      }
    }
    if (!handled.isEmpty()) {
      steps.add(new Settlement.Step(handled.size(), () -> {
        List<Outcome> outcomes = base.ack(handled);
        // The per-item path of every batch: one add per counter, and no event nobody would hear
        // (a metrics binder hears stale settles, rare, but not each handled item).
        boolean tellHandled = listeners.hearsHandled();
        int stale = 0;
        for (int i = 0; i < handled.size(); i++) {
          Delivery d = handled.get(i);
          if (outcomes.get(i) == Outcome.STALE) {
            stale++;
            if (!listeners.isEmpty()) {
              listeners.onStale(event(d, handledItems.get(i), d.deliveryCount(), Duration.ZERO, "ack"));
            }
          } else if (tellHandled) {
            listeners.onHandled(event(d, handledItems.get(i), d.deliveryCount(), Duration.ZERO, ""));
          }
        }
        if (stale > 0) {
          counters.stale.add(stale);
        }
        counters.handled.add(handled.size() - stale);
      }));
    }
    for (int i = 0; i < undecodable.size(); i++) {
      steps.add(deadLetter(undecodable.get(i), null, decodeErrors.get(i),
          DeadLetterCause.UNDECODABLE));
    }
    return steps;
  }

  /**
   * Release with backoff, or dead-letter when this was the MAX_DELIVERIES-th delivery. Counted
   * unhandled now, once, however often the store call is retried.
   */
  private Settlement.Step retryOrDie(Delivery d, T item, String why) {
    counters.unhandled.increment();
    int failures = d.deliveryCount() + 1;
    int max = settings.maxDeliveries();
    if (max > 0 && failures >= max) {
      return deadLetter(d, item, "not handled after " + failures + " deliveries (MAX_DELIVERIES="
          + max + ")" + (why == null ? "" : "; last: " + why), DeadLetterCause.MAX_DELIVERIES);
    }
    Duration delay = backoff.delayAfter(failures);
    return new Settlement.Step(1, () -> {
      Outcome outcome = base.release(d, delay);
      switch (outcome) {
        case STALE:
          counters.stale.increment();
          listeners.onStale(event(d, item, d.deliveryCount(), Duration.ZERO, "release"));
          break;
        case MERGED:
          counters.merged.increment();
          listeners.onRetry(event(d, item, failures, delay, ""));
          break;
        default:
          listeners.onRetry(event(d, item, failures, delay, ""));
      }
    });
  }

  private Settlement.Step deadLetter(Delivery d, T item, String reason, DeadLetterCause cause) {
    return new Settlement.Step(1, () -> {
      Outcome outcome = base.deadLetter(d, reason);
      if (outcome == Outcome.STALE) {
        counters.stale.increment();
        listeners.onStale(event(d, item, d.deliveryCount(), Duration.ZERO, "deadLetter"));
        return;
      }
      counters.deadLettered.increment();
      log.warn("queue \"{}\": item dead-lettered: {}; item: {}", queue, Previews.reason(reason),
          Previews.of(d.payload()));
      listeners.onDeadLettered(new ItemEvent<>(queue, Optional.ofNullable(item), d.id(),
          d.deliveryCount(), d.recoveryCount(), Duration.ZERO, reason, Optional.of(cause)));
    });
  }

  private ItemEvent<T> event(Delivery d, T item, int count, Duration delay, String reason) {
    return new ItemEvent<>(queue, Optional.ofNullable(item), d.id(), count, d.recoveryCount(),
        delay, reason);
  }

  /** The handler's verdict per decoded item. */
  private final class Verdicts {
    final boolean[] unhandled;
    final String[] reasons;
    private final boolean[] matched;

    Verdicts(int n) {
      unhandled = new boolean[n];
      reasons = new String[n];
      matched = new boolean[n];
    }

    void allUnhandled() {
      java.util.Arrays.fill(unhandled, true);
    }

    /**
     * @param given the batch the handler was given
     * @param items the decoded items; for a {@link DeliveryHandler} a returned item names its
     *     element too
     */
    void match(Collection<?> returned, List<?> given, List<T> items) {
      for (Object r : returned) {
        if (r instanceof PermanentFailure) {
          permanent((PermanentFailure) r, given, items);
          continue;
        }
        int i = indexOf(r, given, items);
        if (i < 0) {
          log.error("queue \"{}\": handler returned an item that is not in its batch (or returned "
              + "it twice); ignored: {}", queue, r);
        } else {
          unhandled[i] = true;
        }
      }
    }

    void permanent(PermanentFailure pf, List<?> given, List<T> items) {
      int i = indexOf(pf.item(), given, items);
      if (i < 0) {
        log.error("queue \"{}\": handler's PermanentFailure names an item not in its batch; "
            + "ignored: {}", queue, pf.item());
        return;
      }
      reasons[i] = pf.reason();
    }

    /**
     * The batch element {@code o} names: an element of {@code given}, or (delivery handlers) the
     * item of one. Identity first, then equals; each batch element at most once.
     */
    private int indexOf(Object o, List<?> given, List<T> items) {
      int i = indexIn(o, given);
      return i >= 0 || !handler.matchesItems() ? i : indexIn(o, items);
    }

    private int indexIn(Object o, List<?> items) {
      for (int i = 0; i < items.size(); i++) {
        if (!matched[i] && items.get(i) == o) {
          matched[i] = true;
          return i;
        }
      }
      for (int i = 0; i < items.size(); i++) {
        if (!matched[i] && Objects.equals(items.get(i), o)) {
          matched[i] = true;
          return i;
        }
      }
      return -1;
    }
  }
}
