package io.queuekit.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.queuekit.QueueException;
import io.queuekit.QueueManager;
import io.queuekit.QueueStats;
import io.queuekit.QueueWatcher;
import io.queuekit.WorkerPoolQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for every queue a {@link QueueManager} holds, and for each it creates later;
 * a closed queue's meters are removed. Tagged {@code queue} and {@code type}:
 *
 * <pre>
 * gauges    queuekit.queue.ready, .delayed, .in.flight, .dead (store figures, every process)
 *           queuekit.queue.oldest.waiting.age (seconds), queuekit.queue.store.reachable (0/1)
 *           queuekit.queue.workers, .workers.active, .workers.max, queuekit.queue.paused (0/1)
 * counters  queuekit.queue.handled, .recovered (deliveries of items a crash put back, retries
 *           included: the recovered lane's work), .merged, .stale (this process)
 *           queuekit.queue.released (deliveries not handled, released to be retried later;
 *           not a last delivery dead-lettered at MAX_DELIVERIES)
 *           queuekit.queue.pushed (tag result: added, duplicate, full)
 *           queuekit.queue.dead.lettered (tag reason: max_deliveries, permanent, undecodable,
 *           quarantined)
 * timers    queuekit.queue.handler (per handler call), queuekit.queue.latency (per item: first
 *           push to handler start)
 * summary   queuekit.queue.batch.size (items per handler call)
 * </pre>
 *
 * In Prometheus, {@code queuekit.queue.in.flight} is {@code queuekit_queue_in_flight}, the
 * counters end in {@code _total} and the timers are {@code _seconds}.
 *
 * <p>The released, pushed and dead-lettered counters, the timers and the summary count from when
 * the queue was bound: a queue created after {@link #bindTo} from its creation (its store's dead
 * letters made at open included), one that already ran from the binding on. They are moved by a
 * {@link io.queuekit.QueueListener} the binder adds to each queue; a queue with no registry bound
 * has none, so its hot path pays nothing for metrics.
 *
 * <p>The store gauges of a queue share one snapshot of {@link WorkerPoolQueue#stats()}, and each
 * reads a snapshot once: a scrape, which reads every meter once, costs at most one {@code stats()}
 * call per queue, however long the call takes and whether it answers or fails (a store that times
 * out is the slow case). A gauge read again (the next scrape) takes a fresh snapshot, unless the
 * one it read is under 200 ms old; none serves once it is a minute old. The store figures behind
 * {@code stats()} are themselves cached about a second, failures included. The counters read
 * {@link WorkerPoolQueue#processCounts()}, this process's own counts, and never call the store.
 * While the store is unreachable the store gauges read NaN, {@code store.reachable} 0, and the
 * counters go on counting. Nothing is added to the hot path: without a registry bound nothing is
 * measured.
 *
 * <p><b>Thread-safety:</b> thread-safe; bind it to any number of registries.
 */
public final class QueuekitMetrics implements MeterBinder {
  /** A gauge reading again within this gets the snapshot it read: concurrent scrapes share one. */
  private static final long REREAD_NANOS = 200_000_000L;
  /** No snapshot serves once this old, whatever read it (a gauge read once in a long while). */
  private static final long STALE_NANOS = 60_000_000_000L;

  private final QueueManager manager;

  public QueuekitMetrics(QueueManager manager) {
    this.manager = Objects.requireNonNull(manager, "manager");
  }

  /**
   * A queue's meters and the snapshot they read. Micrometer holds a gauge's or function
   * counter's object weakly, so this map (held by the manager through its watcher) is what keeps
   * each snapshot alive while its queue runs; without it a collected snapshot reads NaN, and its
   * counters stop moving.
   */
  private record Bound(Snapshot snapshot, FlowMeters flow, List<Meter> meters) {}

  @Override
  public void bindTo(MeterRegistry registry) {
    Map<String, Bound> bound = new ConcurrentHashMap<>();
    manager.watch(new QueueWatcher() {
      @Override
      public void created(WorkerPoolQueue<?> queue) {
        Snapshot s = new Snapshot(queue, System::nanoTime);
        Tags tags = Tags.of("queue", queue.name(), "type", queue.type());
        FlowMeters flow = new FlowMeters(registry, tags);
        bound.put(queue.name(), new Bound(s, flow, register(registry, queue, s, tags)));
        queue.addListener(flow);
      }

      @Override
      public void closed(WorkerPoolQueue<?> queue) {
        Bound gone = bound.remove(queue.name());
        if (gone != null) {
          queue.removeListener(gone.flow());
          gone.meters().forEach(registry::remove);
          gone.flow().meters().forEach(registry::remove);
        }
      }
    });
  }

  private static List<Meter> register(MeterRegistry registry, WorkerPoolQueue<?> queue, Snapshot s,
      Tags tags) {
    List<Meter> out = new ArrayList<>();
    out.add(gauge(registry, "queuekit.queue.ready", "items claimable now", tags, s, st -> st.ready()));
    out.add(gauge(registry, "queuekit.queue.delayed", "items waiting for their due time", tags, s,
        st -> st.delayed()));
    out.add(gauge(registry, "queuekit.queue.in.flight", "items claimed and not yet settled", tags, s,
        st -> st.inFlight()));
    out.add(gauge(registry, "queuekit.queue.dead", "items in the dead-letter store", tags, s,
        st -> st.dead()));
    int age = s.newMeter();
    out.add(Gauge.builder("queuekit.queue.oldest.waiting.age", s, x -> x.storeValue(age, st ->
            st.oldestWaitingAge().map(d -> d.toNanos() / 1e9).orElse(0.0)))
        .description("age of the oldest waiting item (0 when none)").baseUnit("seconds")
        .tags(tags).register(registry));
    int reachable = s.newMeter();
    out.add(Gauge.builder("queuekit.queue.store.reachable", s, x -> x.reachable(reachable))
        .description("1 while the store answers, 0 while it does not").tags(tags).register(registry));
    out.add(Gauge.builder("queuekit.queue.workers", queue, q -> q.workers())
        .description("worker threads").tags(tags).register(registry));
    out.add(Gauge.builder("queuekit.queue.workers.active", queue, q -> q.activeWorkers())
        .description("workers running a handler").tags(tags).register(registry));
    out.add(Gauge.builder("queuekit.queue.workers.max", queue, q -> q.maxWorkers())
        .description("the worker cap (MAX_WORKERS)").tags(tags).register(registry));
    out.add(Gauge.builder("queuekit.queue.paused", queue, q -> q.paused() ? 1 : 0)
        .description("1 while claiming is paused").tags(tags).register(registry));
    out.add(counter(registry, "queuekit.queue.handled", "items handled", tags, queue,
        QueueStats.ProcessCounts::handled));
    out.add(counter(registry, "queuekit.queue.recovered", "deliveries of items a crash put back (recovery count > 0), retries included",
        tags, queue, QueueStats.ProcessCounts::recovered));
    out.add(counter(registry, "queuekit.queue.merged", "copies merged into a waiting one (unique)",
        tags, queue, QueueStats.ProcessCounts::merged));
    out.add(counter(registry, "queuekit.queue.stale", "settle calls that found the delivery gone",
        tags, queue, QueueStats.ProcessCounts::stale));
    return out;
  }

  private static Gauge gauge(MeterRegistry registry, String name, String description, Tags tags,
      Snapshot s, ToDoubleFunction<QueueStats> value) {
    int meter = s.newMeter();
    return Gauge.builder(name, s, x -> x.storeValue(meter, value)).description(description)
        .tags(tags).register(registry);
  }

  /** This process's own count: read without the store, so it moves while the store is down. */
  private static FunctionCounter counter(MeterRegistry registry, String name, String description,
      Tags tags, WorkerPoolQueue<?> queue, ToDoubleFunction<QueueStats.ProcessCounts> value) {
    return FunctionCounter.builder(name, queue, q -> value.applyAsDouble(q.processCounts()))
        .description(description).tags(tags).register(registry);
  }

  /**
   * The queue's stats as of one {@code stats()} call, read by its store gauges. Each gauge reads a
   * snapshot once: a gauge reading the one it already read starts a new round (the next scrape),
   * so one scrape costs one store call however long that call takes; timing it instead let a
   * store that took seconds to fail be asked again by every gauge of the scrape.
   */
  static final class Snapshot { // package-private: QueuekitMetricsTest drives one directly
    private final WorkerPoolQueue<?> queue;
    /** The monotonic clock the snapshot's age is read on ({@code System::nanoTime}). */
    private final LongSupplier nanoTime;
    private int meters; // guarded by this
    private QueueStats last; // guarded by this
    private boolean reachable; // guarded by this
    private boolean taken; // guarded by this
    /** When the last stats() call returned (answered or failed). */
    private long takenAt; // guarded by this
    /** One bit per gauge that has read the current snapshot. */
    private long readBy; // guarded by this

    Snapshot(WorkerPoolQueue<?> queue, LongSupplier nanoTime) {
      this.queue = queue;
      this.nanoTime = nanoTime;
    }

    /** A gauge's place in {@link #readBy}. */
    synchronized int newMeter() {
      if (meters == Long.SIZE) {
        throw new IllegalStateException("a snapshot tracks at most 64 gauges");
      }
      return meters++;
    }

    /** Reads the snapshot for gauge {@code meter}, taking a new one when this gauge read it. */
    private void read(int meter) {
      long bit = 1L << meter;
      long age = nanoTime.getAsLong() - takenAt;
      if (!taken || age >= STALE_NANOS || (readBy & bit) != 0 && age >= REREAD_NANOS) {
        try {
          last = queue.stats();
          reachable = true;
        } catch (QueueException e) {
          // the store does not answer: its gauges read NaN (the reason is health()'s to tell)
          reachable = false;
        } finally {
          // stamped when the call returned, however it ended: a call that took seconds to fail
          // must not leave the snapshot already too old for the next gauge
          takenAt = nanoTime.getAsLong();
          taken = true;
          readBy = 0;
        }
      }
      readBy |= bit;
    }

    synchronized double storeValue(int meter, ToDoubleFunction<QueueStats> f) {
      read(meter);
      return reachable && last != null ? f.applyAsDouble(last) : Double.NaN;
    }

    synchronized double reachable(int meter) {
      read(meter);
      return reachable ? 1 : 0;
    }
  }
}
