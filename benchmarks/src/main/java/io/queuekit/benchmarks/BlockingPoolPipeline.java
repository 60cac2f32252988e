package io.queuekit.benchmarks;

import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The baseline: what a team would write by hand with {@code java.util.concurrent}, doing the same
 * work as a {@code WorkerPoolQueue} minus the delivery bookkeeping. Producers encode each payload
 * with the same {@link JacksonCodec} and {@code put} the bytes into an {@link ArrayBlockingQueue}
 * of capacity {@code LENGTH}; one batcher thread (the counterpart of the queue's claim thread)
 * forms batches by the same rule as {@code BATCH_LENGTH}/{@code BATCH_DEBOUNCE} and hands each to
 * a {@link ThreadPoolExecutor} of {@code MAX_WORKERS} threads, whose task decodes every item and
 * calls the same {@link Sink}.
 *
 * <p>Like the queue's claim loop, the batcher keeps at most {@code MAX_WORKERS + 1} batches
 * (forming, waiting or running) out of the store at once, so neither side can hoard items ahead
 * of its workers.
 *
 * <p>Thread-safe for {@link #push}. A failure in the batcher or a task is kept and thrown from the
 * next {@link #push} or from {@link #describeState} (which a stalled round calls), never dropped.
 */
final class BlockingPoolPipeline implements Pipeline {
  private final Codec<Payload> codec = JacksonCodec.of(Payload.class);
  private final ArrayBlockingQueue<byte[]> items;
  private final ThreadPoolExecutor pool;
  private final Semaphore batchesOut;
  private final Sink sink;
  private final int batchLength;
  private final long debounceNanos;
  private final Thread batcher;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closing;

  BlockingPoolPipeline(PipelineConfig config, Sink sink) {
    this.items = new ArrayBlockingQueue<>(config.length());
    this.sink = sink;
    this.batchLength = config.batchLength();
    this.debounceNanos = config.batchDebounce().toNanos();
    this.batchesOut = new Semaphore(config.workers() + 1);
    AtomicInteger n = new AtomicInteger();
    // Unbounded task queue, as the queue's WorkerGroup has: the semaphore bounds it.
    this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "baseline-worker-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.pool.prestartAllCoreThreads();
    this.batcher = new Thread(this::batch, "baseline-batcher");
    this.batcher.setDaemon(true);
    this.batcher.start();
  }

  @Override
  public void push(Payload payload) {
    rethrowFailure();
    byte[] bytes = codec.encode(payload);
    try {
      items.put(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pushing item " + payload.id(), e);
    }
  }

  private void batch() {
    try {
      while (!closing) {
        batchesOut.acquire();
        List<byte[]> batch = new ArrayList<>(batchLength);
        batch.add(items.take());
        // Same rule as the claim loop: full at BATCH_LENGTH, or BATCH_DEBOUNCE after the first item.
        long deadline = System.nanoTime() + debounceNanos;
        while (batch.size() < batchLength) {
          if (items.drainTo(batch, batchLength - batch.size()) > 0) {
            continue;
          }
          long left = deadline - System.nanoTime();
          byte[] next = left > 0 ? items.poll(left, TimeUnit.NANOSECONDS) : null;
          if (next == null) {
            break;
          }
          batch.add(next);
        }
        pool.execute(() -> run(batch));
      }
    } catch (InterruptedException e) {
      if (!closing) {
        failure.compareAndSet(null, e);
      }
      // Closing: the interrupt is close() stopping this thread.
    } catch (RuntimeException | Error e) {
      failure.compareAndSet(null, e);
      throw e;
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
    return "baseline: " + items.size() + " items queued, " + pool.getQueue().size()
        + " batches waiting, " + pool.getActiveCount() + " running";
  }

  @Override
  public void close() {
    closing = true;
    batcher.interrupt();
    try {
      batcher.join();
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
