package io.queuekit;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one batch through the handler and settles every delivery of it: ack what was handled,
 * release what was not (with backoff), dead-letter what cannot be decoded, what the handler calls
 * a {@link PermanentFailure} and what reached {@code MAX_DELIVERIES}. Ports Gitea's {@code
 * doWorkerHandle} and {@code safeHandler}, without its losses: a throwing handler loses nothing.
 *
 * <p>Thread-safe: {@link #run} is called by many worker threads at once.
 */
final class BatchRunner<T> {
  private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

  private final String queue;
  private final BaseQueue base;
  private final Codec<T> codec;
  private final Handler<T> handler;
  private final QueueSettings settings;
  private final Backoff backoff;
  private final Listeners<T> listeners;
  private final Counters counters;
  private final ScheduledExecutorService scheduler;
  /** Told how many deliveries left this process's hands (the prefetch bound counts them). */
  private final Consumer<Batch> onSettled;

  BatchRunner(String queue, BaseQueue base, Codec<T> codec, Handler<T> handler,
      QueueSettings settings, Backoff backoff, Listeners<T> listeners, Counters counters,
      ScheduledExecutorService scheduler, Consumer<Batch> onSettled) {
    this.queue = queue;
    this.base = base;
    this.codec = codec;
    this.handler = handler;
    this.settings = settings;
    this.backoff = backoff;
    this.listeners = listeners;
    this.counters = counters;
    this.scheduler = scheduler;
    this.onSettled = onSettled;
  }

  /** Runs {@code batch} on the calling (worker) thread. */
  void run(Batch batch) {
    batch.runner(Thread.currentThread());
    List<Delivery> deliveries = batch.deliveries;
    List<T> items = new ArrayList<>(deliveries.size());
    List<Delivery> decoded = new ArrayList<>(deliveries.size());
    List<Delivery> undecodable = new ArrayList<>();
    List<String> decodeErrors = new ArrayList<>();
    for (Delivery d : deliveries) {
      if (d.recoveryCount() > 0) {
        counters.recovered.increment();
        listeners.onRecovered(event(d, null, d.deliveryCount(), Duration.ZERO, ""));
      }
      try {
        T item = codec.decode(d.payload());
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
      }
    }

    Verdicts verdicts = new Verdicts(items.size());
    VirtualMachineError fatal = null;
    if (!items.isEmpty()) {
      ScheduledFuture<?> timeout = scheduleTimeout(batch);
      try {
        Collection<?> returned = handler.handle(List.copyOf(items));
        if (returned == null) {
          log.error("queue \"{}\": handler returned null for a batch of {} items; treating them as "
              + "not handled", queue, items.size());
          verdicts.allUnhandled();
        } else {
          verdicts.match(returned, items);
        }
      } catch (PermanentFailure pf) {
        verdicts.allUnhandled();
        verdicts.permanent(pf, items);
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
      }
    }
    // No interrupt aimed at the handler (timeout, shutdown) comes after this, so none reaches the
    // worker's next batch; one that came must not break the settle calls.
    batch.runner(null);
    Thread.interrupted();

    if (!batch.claimSettlement()) {
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
    try {
      settle(decoded, items, verdicts, undecodable, decodeErrors);
    } finally {
      onSettled.accept(batch);
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  private ScheduledFuture<?> scheduleTimeout(Batch batch) {
    Duration limit = settings.handlerTimeout();
    if (limit.isZero()) {
      return null;
    }
    return scheduler.schedule(() -> {
      if (!batch.claimSettlement()) {
        return;
      }
      log.warn("queue \"{}\": handler ran longer than HANDLER_TIMEOUT={}; interrupting it and "
          + "releasing its batch of {}", queue, GoDuration.format(limit), batch.size());
      try {
        for (Delivery d : batch.deliveries) {
          retryOrDie(d, null, "handler ran longer than HANDLER_TIMEOUT");
        }
      } catch (RuntimeException e) {
        log.error("queue \"{}\": could not release a timed-out batch; its items stay in flight "
            + "until recovered", queue, e);
      } finally {
        onSettled.accept(batch);
      }
      batch.interruptRunner();
    }, saturatedNanos(limit), TimeUnit.NANOSECONDS);
  }

  /** {@code d} in nanoseconds, Long.MAX_VALUE beyond (about 292 years: "no limit"). */
  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private void settle(List<Delivery> decoded, List<T> items, Verdicts verdicts,
      List<Delivery> undecodable, List<String> decodeErrors) {
    List<Delivery> handled = new ArrayList<>();
    List<T> handledItems = new ArrayList<>();
    for (int i = 0; i < decoded.size(); i++) {
      Delivery d = decoded.get(i);
      T item = items.get(i);
      if (verdicts.reasons[i] != null) {
        deadLetter(d, item, verdicts.reasons[i]);
      } else if (verdicts.unhandled[i]) {
        retryOrDie(d, item, null);
      } else {
        handled.add(d);
        handledItems.add(item);
      }
    }
    if (!handled.isEmpty()) {
      List<Outcome> outcomes = base.ack(handled);
      for (int i = 0; i < handled.size(); i++) {
        Delivery d = handled.get(i);
        if (outcomes.get(i) == Outcome.STALE) {
          counters.stale.increment();
          listeners.onStale(event(d, handledItems.get(i), d.deliveryCount(), Duration.ZERO, "ack"));
        } else {
          counters.handled.increment();
          listeners.onHandled(event(d, handledItems.get(i), d.deliveryCount(), Duration.ZERO, ""));
        }
      }
    }
    for (int i = 0; i < undecodable.size(); i++) {
      deadLetter(undecodable.get(i), null, decodeErrors.get(i));
    }
  }

  /** Releases with backoff, or dead-letters when this was the MAX_DELIVERIES-th delivery. */
  private void retryOrDie(Delivery d, T item, String why) {
    counters.unhandled.increment();
    int failures = d.deliveryCount() + 1;
    int max = settings.maxDeliveries();
    if (max > 0 && failures >= max) {
      deadLetter(d, item, "not handled after " + failures + " deliveries (MAX_DELIVERIES=" + max + ")"
          + (why == null ? "" : "; last: " + why));
      return;
    }
    Duration delay = backoff.delayAfter(failures);
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
  }

  private void deadLetter(Delivery d, T item, String reason) {
    Outcome outcome = base.deadLetter(d, reason);
    if (outcome == Outcome.STALE) {
      counters.stale.increment();
      listeners.onStale(event(d, item, d.deliveryCount(), Duration.ZERO, "deadLetter"));
      return;
    }
    counters.deadLettered.increment();
    log.warn("queue \"{}\": item dead-lettered: {}; item: {}", queue, reason, preview(d.payload()));
    listeners.onDeadLettered(event(d, item, d.deliveryCount(), Duration.ZERO, reason));
  }

  private ItemEvent<T> event(Delivery d, T item, int count, Duration delay, String reason) {
    return new ItemEvent<>(queue, Optional.ofNullable(item), d.id(), count, d.recoveryCount(),
        delay, reason);
  }

  /** The first 200 bytes of an item, as text, for log lines. */
  static String preview(byte[] payload) {
    int n = Math.min(payload.length, 200);
    String s = new String(payload, 0, n, StandardCharsets.UTF_8);
    return payload.length > n ? s + "…(" + payload.length + " bytes)" : s;
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

    void match(Collection<?> returned, List<T> items) {
      for (Object r : returned) {
        if (r instanceof PermanentFailure) {
          permanent((PermanentFailure) r, items);
          continue;
        }
        int i = indexOf(r, items);
        if (i < 0) {
          log.error("queue \"{}\": handler returned an item that is not in its batch (or returned "
              + "it twice); ignored: {}", queue, r);
        } else {
          unhandled[i] = true;
        }
      }
    }

    void permanent(PermanentFailure pf, List<T> items) {
      int i = indexOf(pf.item(), items);
      if (i < 0) {
        log.error("queue \"{}\": handler's PermanentFailure names an item not in its batch; "
            + "ignored: {}", queue, pf.item());
        return;
      }
      reasons[i] = pf.reason();
    }

    /** Identity first, then equals; each batch element at most once. */
    private int indexOf(Object o, List<T> items) {
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
