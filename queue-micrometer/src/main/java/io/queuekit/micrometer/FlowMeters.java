package io.queuekit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.queuekit.BatchEvent;
import io.queuekit.DeadLetterCause;
import io.queuekit.ItemEvent;
import io.queuekit.PushResult;
import io.queuekit.QueueListener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters a queue's events move, as a {@link QueueListener} added to the running queue: pushes
 * by result, releases for a retry, dead letters by cause, handler time and batch size per handler
 * call, and each item's wait from its first push to its handler. Every meter is registered up
 * front (a result or cause that never happened reads 0 rather than being missing).
 *
 * <p>Thread-safe: Micrometer's meters are, and the maps are only read after construction.
 */
final class FlowMeters implements QueueListener<Object> {
  private final Map<PushResult, Counter> pushed = new EnumMap<>(PushResult.class);
  private final Map<DeadLetterCause, Counter> dead = new EnumMap<>(DeadLetterCause.class);
  private final Counter released;
  private final Timer handler;
  private final DistributionSummary batchSize;
  private final Timer latency;
  private final List<Meter> meters = new ArrayList<>();

  FlowMeters(MeterRegistry registry, Tags tags) {
    for (PushResult r : PushResult.values()) {
      pushed.put(r, add(Counter.builder("queuekit.queue.pushed")
          .description("items pushed, by what became of them (full: offer refused, push timed out)")
          .tags(tags).tag("result", r.name().toLowerCase(java.util.Locale.ROOT)).register(registry)));
    }
    for (DeadLetterCause c : DeadLetterCause.values()) {
      dead.put(c, add(Counter.builder("queuekit.queue.dead.lettered")
          .description("items dead-lettered, by cause (this process and its store)")
          .tags(tags).tag("reason", c.tag()).register(registry)));
    }
    // Counted as the store takes each release: the pool's own unhandled count (QueueStats) also
    // counts a last delivery that is dead-lettered instead, which is not retried later.
    released = add(Counter.builder("queuekit.queue.released")
        .description("deliveries not handled, released to be retried later").tags(tags)
        .register(registry));
    handler = add(Timer.builder("queuekit.queue.handler")
        .description("handler time per batch (returning or throwing)").tags(tags).register(registry));
    batchSize = add(DistributionSummary.builder("queuekit.queue.batch.size")
        .description("items per handler call").baseUnit("items").tags(tags).register(registry));
    latency = add(Timer.builder("queuekit.queue.latency")
        .description("per item, from its first push to its handler's start (retries included)")
        .tags(tags).register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Every meter this listener moves, to remove when the queue closes. */
  List<Meter> meters() {
    return meters;
  }

  @Override
  public void onPushed(String queue, PushResult result) {
    pushed.get(result).increment();
  }

  @Override
  public void onRetry(ItemEvent<Object> event) {
    released.increment();
  }

  @Override
  public void onDeadLettered(ItemEvent<Object> event) {
    // every dead letter the pool tells carries its cause; one without (built by hand) is not ours
    event.cause().ifPresent(c -> dead.get(c).increment());
  }

  @Override
  public void onBatch(BatchEvent event) {
    handler.record(event.handlerTime());
    batchSize.record(event.size());
    for (int i = 0, n = event.waits().size(); i < n; i++) {
      latency.record(event.waitNanos(i), TimeUnit.NANOSECONDS);
    }
  }
}
