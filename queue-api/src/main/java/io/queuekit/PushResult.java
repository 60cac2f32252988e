package io.queuekit;

/**
 * What became of one pushed item.
 *
 * <p>{@link #ADDED}: stored and waiting. {@link #DUPLICATE}: unique queue only, the same identity
 * was already waiting, so nothing was stored and the waiting copy keeps its place. {@link #FULL}:
 * only from {@code offer}, which never waits: {@code LENGTH} items were waiting and nothing was
 * stored.
 */
public enum PushResult {
  /** Stored and waiting. */
  ADDED,
  /** Unique queue: the same identity is already waiting; nothing stored. */
  DUPLICATE,
  /** {@code offer} only: the queue held {@code LENGTH} waiting items; nothing stored. */
  FULL
}
