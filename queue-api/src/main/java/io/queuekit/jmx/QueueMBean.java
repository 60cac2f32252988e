package io.queuekit.jmx;

import io.queuekit.QueueException;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link QueueMXBean} of one queue: each call goes to the queue. A queuekit exception is
 * passed on as an {@link IllegalStateException} (or {@link IllegalArgumentException} for a bad
 * value) with its message and no cause, since a JMX client has no queuekit classes to read it
 * with. Thread-safe, as the queue is.
 */
final class QueueMBean implements QueueMXBean {
  private final WorkerPoolQueue<?> queue;

  QueueMBean(WorkerPoolQueue<?> queue) {
    this.queue = queue;
  }

  private <R> R call(Supplier<R> op) {
    try {
      return op.get();
    } catch (io.queuekit.QueueConfigException e) {
      throw new IllegalArgumentException(e.getMessage());
    } catch (QueueException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  private <R> R stat(Function<QueueStats, R> f) {
    return call(() -> f.apply(queue.stats()));
  }

  @Override
  public String getName() {
    return queue.name();
  }

  @Override
  public String getType() {
    return queue.type();
  }

  @Override
  public boolean isUnique() {
    return queue.unique();
  }

  @Override
  public long getReady() {
    return stat(QueueStats::ready);
  }

  @Override
  public long getDelayed() {
    return stat(QueueStats::delayed);
  }

  @Override
  public long getInFlight() {
    return stat(QueueStats::inFlight);
  }

  @Override
  public long getDead() {
    return stat(QueueStats::dead);
  }

  @Override
  public long getDeadDropped() {
    return stat(QueueStats::deadDropped);
  }

  @Override
  public double getOldestWaitingAgeSeconds() {
    return stat(s -> s.oldestWaitingAge().map(d -> d.toNanos() / 1e9).orElse(0.0));
  }

  @Override
  public boolean isStoreReachable() {
    try {
      queue.stats();
      return true;
    } catch (QueueException e) {
      return false; // the answer asked for: not reachable (the message is in the queue's log)
    }
  }

  @Override
  public long getHandled() {
    return queue.processCounts().handled(); // this process's own: readable while the store is down
  }

  @Override
  public long getUnhandled() {
    return queue.processCounts().unhandled(); // this process's own: readable while the store is down
  }

  @Override
  public long getDeadLettered() {
    return queue.processCounts().deadLettered(); // this process's own: readable while the store is down
  }

  @Override
  public long getRecovered() {
    return queue.processCounts().recovered(); // this process's own: readable while the store is down
  }

  @Override
  public int getWorkers() {
    return queue.workers();
  }

  @Override
  public int getActiveWorkers() {
    return queue.activeWorkers();
  }

  @Override
  public int getMaxWorkers() {
    return queue.maxWorkers();
  }

  @Override
  public boolean isPaused() {
    return queue.paused();
  }

  @Override
  public void pause() {
    queue.pause();
  }

  @Override
  public void resume() {
    queue.resume();
  }

  @Override
  public void setMaxWorkers(int maxWorkers) {
    call(() -> {
      queue.setMaxWorkers(maxWorkers);
      return null;
    });
  }

  @Override
  public boolean flush(long timeoutMillis) {
    if (timeoutMillis < 0) {
      throw new IllegalArgumentException("queue \"" + queue.name() + "\": flush timeout "
          + timeoutMillis + " ms must not be negative");
    }
    return call(() -> queue.flush(Duration.ofMillis(timeoutMillis)));
  }

  @Override
  public long removeAll() {
    return call(queue::removeAll);
  }

  @Override
  public long replayDeadLetter(long id) {
    return call(() -> queue.replayDead(List.of(id)));
  }

  @Override
  public long replayAllDeadLetters() {
    return call(queue::replayAllDead);
  }

  @Override
  public long purgeDeadLetter(long id) {
    return call(() -> queue.purgeDead(List.of(id)));
  }

  @Override
  public long purgeAllDeadLetters() {
    return call(queue::purgeAllDead);
  }
}
