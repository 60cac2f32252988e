package io.queuekit.spi;

/**
 * What a store tells the worker pool about moves it made on its own, not in answer to a settle
 * call: quarantining a suspected poison item when it recovers a dead consumer's deliveries (at
 * open, or by a reaper for another process), or dead-lettering a stored entry it could not parse.
 * The pool turns each into a {@link io.queuekit.QueueListener#onDeadLettered} event, so listeners
 * and metrics see every dead letter, whoever made it.
 *
 * <p><b>Thread-safety:</b> a store may call it from any thread, including from inside {@link
 * BaseQueueFactory#create} before the queue has a worker pool (the pool holds such events until
 * its listeners are attached). Implementations must be quick and must not throw.
 *
 * <p><b>Durability and ordering:</b> called after the move is durable in the store, once per item
 * per move, in the order the store made them; an event is not repeated after a crash between the
 * move and the call (the dead letter itself is kept: the event is what may be missed).
 */
public interface StoreEvents {
  /**
   * How the reason of a quarantined poison item begins: the pool tells a quarantine ({@link
   * io.queuekit.DeadLetterCause#QUARANTINED}) from an unparsable entry ({@link
   * io.queuekit.DeadLetterCause#UNDECODABLE}), the only two dead letters a store makes by itself,
   * by it.
   */
  String QUARANTINE_REASON = "suspected poison item";

  /** Tells nobody: for stores opened without a worker pool (tools, tests). */
  StoreEvents NONE = new StoreEvents() {};

  /** The store moved an item to its dead-letter store by itself; {@code letter} is the entry. */
  default void deadLettered(DeadLetter letter) {}
}
