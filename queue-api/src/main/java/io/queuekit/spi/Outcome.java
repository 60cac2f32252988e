package io.queuekit.spi;

/** What a settle call ({@code ack}, {@code release}, {@code unclaim}, {@code deadLetter}) did. */
public enum Outcome {
  /** Done as asked. */
  DONE,
  /**
   * Unique queue, moving back into waiting ({@code release}, {@code unclaim}): the same identity
   * was already waiting, so this copy was merged into it (larger counts kept) and not stored.
   */
  MERGED,
  /** The delivery id no longer names an in-flight item: nothing changed. */
  STALE
}
