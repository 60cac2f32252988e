package io.queuekit.benchmarks;

import java.io.IOException;
import java.util.List;

/**
 * One side of an end-to-end comparison: payloads pushed in from producer threads reach a {@link
 * Sink} in batches on worker threads. {@link Pipelines} opens them by name.
 *
 * <p>Implementations are thread-safe for {@link #push} and {@link #pushAll}; {@link #close} is
 * called once, after the last round.
 */
interface Pipeline extends AutoCloseable {

  /** Pushes one payload, blocking while the pipeline is full; throws on any failure. */
  void push(Payload payload);

  /**
   * Pushes payloads in order with the side's batched call ({@code pushAll}, a write batch, a
   * pipeline); throws on any failure. The default pushes them one by one, for sides without one.
   */
  default void pushAll(List<Payload> payloads) {
    for (Payload p : payloads) {
      push(p);
    }
  }

  /** What the pipeline holds now, for the message of a round that did not drain. */
  String describeState();

  /**
   * Stops the pipeline's threads; what is still queued is dropped. Interrupted, it restores the
   * flag and throws unchecked (an {@code AutoCloseable} should not throw InterruptedException).
   */
  @Override
  void close() throws IOException;
}
