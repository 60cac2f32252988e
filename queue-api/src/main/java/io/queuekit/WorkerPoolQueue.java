package io.queuekit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A named, typed queue whose items are handled in batches by a capped pool of worker threads.
 * Ports Gitea's {@code WorkerPoolQueue[T]} ({@code modules/queue/workerqueue.go}) and adds
 * at-least-once delivery, backoff, dead letters and poison-item quarantine. Created by a {@link
 * QueueManager}.
 *
 * <p><b>Delivery.</b> An item stays stored until its handler succeeds: a crash or a kill redelivers
 * it (at-least-once). Unhandled items come back after a backoff; with {@code MAX_DELIVERIES} = n the
 * handler sees an item at most n times. Items that cannot be decoded, items a handler declares a
 * {@link PermanentFailure}, and items in flight during {@code MAX_RECOVERIES} crashes go to the
 * dead-letter store, never silently dropped.
 *
 * <p><b>Ordering.</b> Items are claimed in FIFO order, but several workers and retries reorder
 * handling, as in Gitea: no handling order is promised.
 *
 * <p><b>Unique queues.</b> An item whose identity (its encoded bytes, or its {@code uniqueKey}) is
 * already waiting is not stored again ({@link PushResult#DUPLICATE}); an item being handled may be
 * pushed again. {@link #has} is exact.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread.
 *
 * @param <T> the item type
 */
public interface WorkerPoolQueue<T> extends AutoCloseable {

  /** The queue's name. */
  String name();

  /** The canonical {@code TYPE} of its backend. */
  String type();

  /** Whether this is a unique queue. */
  boolean unique();

  /** The item class. */
  Class<T> itemType();

  /** The settings the queue was created with. */
  QueueSettings settings();

  /**
   * Pushes an item, waiting up to {@code PUSH_TIMEOUT} for room.
   *
   * @throws QueueFullException the queue stayed full for {@code PUSH_TIMEOUT}
   * @throws QueueClosedException after shutdown
   * @throws ItemTooLargeException the encoded item exceeds {@code MAX_ITEM_SIZE}
   * @throws UnhandledItemException {@code immediate} queues only: the handler did not handle it
   */
  PushResult push(T item);

  /** Pushes an item, waiting up to {@code timeout} for room. */
  PushResult push(T item, Duration timeout);

  /** Pushes an item only if there is room now: {@code ADDED}, {@code DUPLICATE} or {@code FULL}. */
  PushResult offer(T item);

  /**
   * Pushes items in order, waiting for room between them until {@code timeout}; on timeout throws
   * {@link QueueFullException} carrying the results so far (those items stay admitted).
   *
   * @throws ItemTooLargeException an item exceeds {@code MAX_ITEM_SIZE}, naming its index; nothing
   *     was pushed (or, {@code immediate}, handled)
   * @throws UnhandledItemException {@code immediate} queues only: the item at its {@code index()}
   *     was not handled; those before it were ({@code results()}), those after it not attempted
   */
  List<PushResult> pushAll(List<? extends T> items, Duration timeout);

  /** Pushes an item that becomes claimable after {@code delay}; waits up to {@code PUSH_TIMEOUT}. */
  PushResult pushDelayed(T item, Duration delay);

  /** Unique queues: whether the item is waiting, exactly. Simple queues: false. */
  boolean has(T item);

  /** Waiting items (ready + delayed) in the store. */
  long len();

  /**
   * Drains the queue: dispatches the current batch at once, then waits until the store reports
   * ready, delayed and in flight (every consumer) at zero, items pushed or released meanwhile
   * included. Delayed items are waited for, never promoted early and never dropped.
   *
   * @return true when drained, false at the timeout (what is left is logged); a store that does
   *     not answer is asked again until the timeout
   * @throws QueueClosedException when the queue is shut down, before or during the wait
   */
  boolean flush(Duration timeout);

  /** Sets the worker cap (≥ 1). Lowering it stops no running worker; it limits new ones. */
  void setMaxWorkers(int maxWorkers);

  /** The worker cap. */
  int maxWorkers();

  /**
   * Worker threads now, not counting one whose handler outlived {@code HANDLER_TIMEOUT} and ignores
   * the interrupt (its batch was released; it exits when the handler returns).
   */
  int workers();

  /** Workers running a handler now (not counting those {@link #workers()} leaves out). */
  int activeWorkers();

  /** Stops claiming new items; pushes go on; running handlers finish. */
  void pause();

  /** Resumes claiming after {@link #pause()}. */
  void resume();

  /** Whether claiming is paused. */
  boolean paused();

  /** Deletes every waiting item (and the unique set); returns how many. In-flight items remain. */
  long removeAll();

  /**
   * Counts and gauges of the queue. The store's figures (ready, delayed, in flight, dead) are
   * cached about a second, and so is the store's failure to give them: while the store is down,
   * calls within that second throw again (the same kind of {@link QueueException}, naming the
   * queue) without asking it, so health checks, metrics and an admin page do not each wait for a
   * failing store. What this object does in bulk refreshes them: after {@link #flush},
   * {@link #removeAll} and dead-letter replay and purge, stats() shows their effect. Single
   * pushes and settles do not (that would cost the hot path), nor does anything other processes
   * do: a stats() right after a push may not count it yet. This process's counters are read live
   * ({@link #processCounts()} reads them without the store).
   *
   * @throws QueueUnavailableException the store did not answer (now, or within the last second)
   */
  QueueStats stats();

  /**
   * This process's counters of the queue, as in {@link #stats()}, without asking the store: unlike
   * {@code stats()}, this answers while the store is down.
   */
  QueueStats.ProcessCounts processCounts();

  /**
   * Adds a listener to the running queue (a metrics binder, an admin view): it hears what happens
   * from about now on. Listeners given in the {@link QueueSpec} hear everything from the start.
   */
  void addListener(QueueListener<? super T> listener);

  /** Removes a listener {@link #addListener} added; returns false when it was not there. */
  boolean removeListener(QueueListener<? super T> listener);

  /** Dead letters, newest first. */
  List<DeadLetterEntry<T>> deadLetters(int offset, int limit);

  /**
   * The named dead letters that exist, oldest first; an id no dead letter holds is left out. A
   * look-up by id where the store has one, not a scan of every dead letter.
   */
  List<DeadLetterEntry<T>> deadLetters(Collection<Long> ids);

  /** Moves the named dead letters back to the queue, counts reset; returns how many. */
  long replayDead(Collection<Long> ids);

  /** Moves every dead letter back to the queue, counts reset; returns how many. */
  long replayAllDead();

  /** Deletes the named dead letters; returns how many. */
  long purgeDead(Collection<Long> ids);

  /** Deletes every dead letter; returns how many. */
  long purgeAllDead();

  /**
   * Shuts the queue down (idempotent): stops claiming, gives running handlers {@code
   * SHUTDOWN_TIMEOUT}, interrupts those still running, gives every delivery not acked back to the
   * store (no delivery or recovery counted; a late ack from an interrupted handler is stale;
   * retried with backoff while the store fails, within what is left of {@code SHUTDOWN_TIMEOUT},
   * after which what is still in flight is logged and left for the store's recovery), and closes
   * the store. Persistent backends keep every item; {@code channel} loses what is left.
   * Later pushes throw {@link QueueClosedException}.
   */
  void shutdown();

  /** Same as {@link #shutdown()}. */
  @Override
  void close();
}
