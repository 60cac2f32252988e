package io.queuekit.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives rounds through one {@link Pipeline}: {@code producers} threads push a round's items
 * (producer k pushes ids k, k + P, k + 2P, …), and the driver returns once the sink has seen every
 * one of them, checked exactly once. Used by the JMH benchmark (one round per invocation) and by
 * the latency harness.
 *
 * <p>Not thread-safe: one driving thread; rounds run one after another.
 */
final class Driver implements AutoCloseable {
  /** A round that has not drained by then is a stuck pipeline, not a slow one. */
  private static final long ROUND_TIMEOUT_SECONDS = 120;

  private final Pipeline pipeline;
  private final Sink sink;
  private final int producers;
  private final int pushBatch;
  private final ExecutorService producerThreads;
  private long nextId;

  Driver(String pipelineName, PipelineConfig config) throws Exception {
    this.sink = new Sink();
    this.pipeline = Pipelines.open(pipelineName, config, sink);
    this.producers = config.producers();
    this.pushBatch = config.pushBatch();
    AtomicInteger n = new AtomicInteger();
    this.producerThreads = Executors.newFixedThreadPool(producers, r -> {
      Thread t = new Thread(r, "bench-producer-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Pushes {@code count} items as fast as the producers can and waits until all are handled.
   *
   * @return the sink's running item count (returned so JMH sees a result)
   */
  long round(int count) throws Exception {
    long first = nextId;
    nextId += count;
    Sink.Round r = sink.expect(first, count, false);
    List<Future<?>> pushes = new ArrayList<>(producers);
    for (int k = 0; k < producers; k++) {
      int offset = k;
      pushes.add(producerThreads.submit(() -> {
        if (pushBatch == 1) {
          for (long i = offset; i < count; i += producers) {
            pipeline.push(Payload.sample(first + i, System.nanoTime()));
          }
          return null;
        }
        // Batched pushes: this producer's ids, pushBatch per call (the last call may be short).
        List<Payload> batch = new ArrayList<>(pushBatch);
        for (long i = offset; i < count; i += producers) {
          batch.add(Payload.sample(first + i, System.nanoTime()));
          if (batch.size() == pushBatch) {
            pipeline.pushAll(batch);
            batch = new ArrayList<>(pushBatch);
          }
        }
        if (!batch.isEmpty()) {
          pipeline.pushAll(batch);
        }
        return null;
      }));
    }
    join(pushes);
    r.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS, pipeline);
    return sink.seen();
  }

  /**
   * Pushes {@code count} items at {@code ratePerSecond} in total (each producer keeps its own
   * schedule, so a producer that falls behind pushes back to back until it catches up), records
   * how long each push call took and how long each item took to reach the handler, and waits until
   * all are handled. One item per push call whatever the config's {@code pushBatch}: a push's
   * latency is the latency of one item.
   */
  LatencySample pacedRound(int count, double ratePerSecond) throws Exception {
    long first = nextId;
    nextId += count;
    Sink.Round r = sink.expect(first, count, true);
    long[] pushNanos = new long[count];
    double intervalNanos = 1e9 / ratePerSecond;
    // Producers start together a little ahead, so thread start-up is not counted as lateness.
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    List<Future<?>> pushes = new ArrayList<>(producers);
    long[] lastPushEnd = new long[producers];
    for (int k = 0; k < producers; k++) {
      int offset = k;
      pushes.add(producerThreads.submit(() -> {
        long end = 0;
        for (int i = offset; i < count; i += producers) {
          long due = start + (long) (i * intervalNanos);
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
          long t0 = System.nanoTime();
          pipeline.push(Payload.sample(first + i, t0));
          end = System.nanoTime();
          pushNanos[i] = end - t0;
        }
        lastPushEnd[offset] = end;
        return null;
      }));
    }
    join(pushes);
    r.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS, pipeline);
    long end = 0;
    for (long e : lastPushEnd) {
      end = Math.max(end, e);
    }
    double achieved = count / ((end - start) / 1e9);
    return new LatencySample(pushNanos, r.latencies, achieved);
  }

  /** Waits for every producer, rethrowing the first failure with its cause. */
  private void join(List<Future<?>> pushes) throws Exception {
    try {
      for (Future<?> f : pushes) {
        f.get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      for (Future<?> f : pushes) {
        f.cancel(true);
      }
      throw new IllegalStateException("a producer failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      for (Future<?> f : pushes) {
        f.cancel(true);
      }
      throw new IllegalStateException("producers still pushing after " + ROUND_TIMEOUT_SECONDS
          + "s; " + pipeline.describeState(), e);
    }
  }

  @Override
  public void close() throws IOException {
    producerThreads.shutdownNow();
    // try-with-resources closes the pipeline even when the producers hang, and keeps both
    // failures (the pipeline's as suppressed) instead of letting one mask the other.
    try (pipeline) {
      if (!producerThreads.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("producer threads did not stop within 10s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the producers", e);
    }
  }

  /**
   * One paced round's raw latencies, in nanoseconds, indexed by item.
   *
   * @param push how long each push call took
   * @param toHandler from just before the push to the handler seeing the item's batch
   * @param achievedRate items per second actually pushed
   */
  record LatencySample(long[] push, long[] toHandler, double achievedRate) {}
}
