package io.queuekit.benchmarks;

import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A baseline with the shape of a {@code WorkerPoolQueue} over a {@link RawStore}: producers encode
 * and put; one batcher thread (the counterpart of the queue's claim thread) takes from the store
 * and forms batches by the same rule as {@code BATCH_LENGTH}/{@code BATCH_DEBOUNCE}, handing each
 * to a {@link ThreadPoolExecutor} of {@code MAX_WORKERS} threads, whose task decodes every item
 * and calls the same {@link Sink}. {@link BlockingPoolPipeline} is the same over an in-memory
 * {@code ArrayBlockingQueue}.
 *
 * <p>Like the queue's claim loop, the batcher keeps at most {@code MAX_WORKERS + 1} batches
 * (forming, waiting or running) out of the store at once, so neither side hoards items.
 *
 * <p>Thread-safe for {@link #push}. A failure in the batcher or a task is kept and thrown from the
 * next push or from {@link #describeState} (which a stalled round calls), never dropped.
 */
final class BatcherPipeline implements Pipeline {
  private final Codec<Payload> codec = JacksonCodec.of(Payload.class);
  private final RawStore store;
  private final ThreadPoolExecutor pool;
  private final Semaphore batchesOut;
  private final Sink sink;
  private final int batchLength;
  private final long debounceNanos;
  private final Thread batcher;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closing;

  BatcherPipeline(String name, RawStore store, PipelineConfig config, Sink sink) {
    this.store = store;
    this.sink = sink;
    this.batchLength = config.batchLength();
    this.debounceNanos = config.batchDebounce().toNanos();
    this.batchesOut = new Semaphore(config.workers() + 1);
    AtomicInteger n = new AtomicInteger();
    // Unbounded task queue, as the queue's WorkerGroup has: the semaphore bounds it.
    this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.pool.prestartAllCoreThreads();
    this.batcher = new Thread(this::batch, name + "-batcher");
    this.batcher.setDaemon(true);
    this.batcher.start();
  }

  @Override
  public void push(Payload payload) {
    rethrowFailure();
    store.put(List.of(codec.encode(payload)));
  }

  @Override
  public void pushAll(List<Payload> payloads) {
    rethrowFailure();
    List<byte[]> items = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      items.add(codec.encode(p));
    }
    store.put(items);
  }

  private void batch() {
    try {
      while (!closing) {
        batchesOut.acquire();
        List<byte[]> batch = new ArrayList<>(batchLength);
        while (batch.isEmpty() && !closing) {
          batch.addAll(store.take(batchLength, Consumers.POLL_NANOS));
        }
        if (batch.isEmpty()) {
          break;
        }
        // Same rule as the claim loop: full at BATCH_LENGTH, or BATCH_DEBOUNCE after the first item.
        long deadline = System.nanoTime() + debounceNanos;
        while (batch.size() < batchLength) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          List<byte[]> more = store.take(batchLength - batch.size(), left);
          if (more.isEmpty()) {
            break;
          }
          batch.addAll(more);
        }
        pool.execute(() -> run(batch));
      }
    } catch (InterruptedException e) {
      if (!closing) {
        failure.compareAndSet(null, e);
      }
      // Closing: the interrupt is close() stopping this thread.
    } catch (RuntimeException | Error e) {
      // Kept even while closing: close() stops the batcher before it closes the store.
      failure.compareAndSet(null, e);
    }
  }

  private void run(List<byte[]> batch) {
    try {
      List<Payload> decoded = new ArrayList<>(batch.size());
      for (byte[] b : batch) {
        decoded.add(codec.decode(b));
      }
      sink.handle(decoded);
    } catch (Exception | Error e) {
      failure.compareAndSet(null, e);
    } finally {
      batchesOut.release();
    }
  }

  private void rethrowFailure() {
    Throwable f = failure.get();
    if (f != null) {
      throw new IllegalStateException("the baseline pipeline failed", f);
    }
  }

  @Override
  public String describeState() {
    rethrowFailure();
    return store.describe() + "; " + pool.getQueue().size() + " batches waiting, "
        + pool.getActiveCount() + " running";
  }

  @Override
  public void close() throws IOException {
    try (store) {
      closing = true;
      // The batcher sees the flag within one take; an interrupt would cut a store call short
      // (Lettuce and Redisson turn it into their own exceptions), so it is the last resort.
      batcher.join(TimeUnit.SECONDS.toMillis(10));
      if (batcher.isAlive()) {
        batcher.interrupt();
        batcher.join(TimeUnit.SECONDS.toMillis(5));
      }
      pool.shutdownNow();
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("baseline workers did not stop within 10s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the baseline", e);
    }
    rethrowFailure();
  }
}
