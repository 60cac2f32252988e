package io.queuekit.jmx;

/**
 * One queue as JMX shows it, registered as {@code io.queuekit:type=Queue,name=<queue>} by {@link
 * QueueMBeans} (or {@code QueueManager.builder().jmx(server)}). Only JDK types cross the
 * connector, so a console needs no queuekit classes; a failure arrives as an {@link
 * IllegalStateException} or {@link IllegalArgumentException} whose message names the queue.
 *
 * <p>The store figures (ready, delayed, in flight, dead) are cached about a second, as in {@link
 * io.queuekit.QueueStats}, and fail while the store is down; the counts are this process's since
 * the queue was created, readable while it is down.
 *
 * <p><b>Thread-safety:</b> thread-safe; JMX calls it from its own threads.
 */
public interface QueueMXBean {
  /** The queue's name. */
  String getName();

  /** The canonical {@code TYPE}. */
  String getType();

  /** Whether it is a unique queue. */
  boolean isUnique();

  /** Items claimable now (store). */
  long getReady();

  /** Items waiting for their due time (store). */
  long getDelayed();

  /** Items claimed and not settled, every consumer (store). */
  long getInFlight();

  /** Dead letters (store). */
  long getDead();

  /** Dead letters dropped at {@code DEAD_LETTER_LENGTH} (store). */
  long getDeadDropped();

  /** Age of the oldest waiting item in seconds; 0 when none waits. */
  double getOldestWaitingAgeSeconds();

  /** Whether the store answers now. */
  boolean isStoreReachable();

  /** Items handled. */
  long getHandled();

  /** Deliveries that ended unhandled (released for a retry, or dead-lettered). */
  long getUnhandled();

  /** Items this process dead-lettered. */
  long getDeadLettered();

  /** Deliveries this process claimed of items a crash put back, retries included. */
  long getRecovered();

  /** Worker threads now. */
  int getWorkers();

  /** Workers running a handler now. */
  int getActiveWorkers();

  /** The worker cap ({@code MAX_WORKERS}). */
  int getMaxWorkers();

  /** Whether claiming is paused. */
  boolean isPaused();

  /** Stops claiming; pushes go on; running handlers finish. */
  void pause();

  /** Resumes claiming. */
  void resume();

  /** Sets the worker cap; at least 1. */
  void setMaxWorkers(int maxWorkers);

  /** Waits up to {@code timeoutMillis} for the queue to drain; true when it did. */
  boolean flush(long timeoutMillis);

  /** Deletes every waiting item; returns how many. */
  long removeAll();

  /** Moves the dead letter {@code id} back to the queue; returns how many moved (0 or 1). */
  long replayDeadLetter(long id);

  /** Moves every dead letter back to the queue; returns how many. */
  long replayAllDeadLetters();

  /** Deletes the dead letter {@code id}; returns how many were deleted (0 or 1). */
  long purgeDeadLetter(long id);

  /** Deletes every dead letter; returns how many. */
  long purgeAllDeadLetters();
}
