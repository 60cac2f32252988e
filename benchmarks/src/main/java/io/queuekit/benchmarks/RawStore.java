package io.queuekit.benchmarks;

import java.io.IOException;
import java.util.List;

/**
 * The store of a hand-written baseline: what a team would write on the same storage without
 * queuekit (raw leveldbjni, a Tape file, Redis lists through Lettuce or Redisson). It moves encoded
 * items and nothing else: no delivery ids, no in-flight record, no retry, no dead letters; an item
 * taken is gone (at-most-once), which is the work our side does more of.
 *
 * <p>Unbounded: the rounds never come near {@code LENGTH}, so neither side ever waits for room.
 *
 * <p>Implementations are thread-safe: producers call {@link #put} concurrently, consumers (or one
 * batcher) call {@link #take}.
 */
interface RawStore extends AutoCloseable {

  /** Appends the items in order, with the store's batched write when there are several. */
  void put(List<byte[]> items);

  /**
   * Removes and returns up to {@code max} items from the head, waiting up to {@code waitNanos}
   * for the first; empty when none came in time.
   */
  List<byte[]> take(int max, long waitNanos) throws InterruptedException;

  /** What the store holds now, for the message of a stalled round. */
  String describe();

  @Override
  void close() throws IOException;
}
