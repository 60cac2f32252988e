package io.queuekit.dummy;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.internal.ItemSize;
import io.queuekit.internal.Nanos;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code dummy} and {@code immediate} backends: a store that keeps nothing. Ports Gitea's
 * {@code base_dummy.go}.
 *
 * <p>{@code dummy}: push reports {@code ADDED} and discards; {@code len} is 0; {@code has} is false;
 * claim waits for its {@code wait} or for close and returns nothing. {@code immediate}: the same
 * store, but its {@link Mode#IMMEDIATE} tells the worker pool to run the handler in the pushing
 * thread, so nothing ever reaches this store.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Durability:</b> none; nothing is kept.
 */
final class DummyQueue implements BaseQueue {
  private final String name;
  private final boolean unique;
  private final Mode mode;
  private final int maxItemSize;
  private final CountDownLatch closed = new CountDownLatch(1);

  DummyQueue(BaseQueueConfig config, Mode mode) {
    this.name = config.name();
    this.unique = config.unique();
    this.mode = mode;
    this.maxItemSize = config.settings().maxItemSize();
  }

  private void checkOpen() {
    if (closed.getCount() == 0) {
      throw new QueueClosedException(name);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean unique() {
    return unique;
  }

  @Override
  public Mode mode() {
    return mode;
  }

  @Override
  public PushResult push(Item item, Duration delay, Duration timeout) {
    checkOpen();
    ItemSize.check(name, item, -1, maxItemSize);
    return PushResult.ADDED;
  }

  @Override
  public List<PushResult> pushAll(List<Item> items, Duration timeout) {
    checkOpen();
    for (int i = 0; i < items.size(); i++) {
      ItemSize.check(name, items.get(i), i, maxItemSize);
    }
    return Collections.nCopies(items.size(), PushResult.ADDED);
  }

  @Override
  public PushResult offer(Item item) {
    return push(item, Duration.ZERO, Duration.ZERO);
  }

  @Override
  public List<Delivery> claim(int max, Duration wait) {
    checkOpen();
    try {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      closed.await(Nanos.ofNonNegative(wait), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueInterruptedException(name, e);
    }
    return List.of();
  }

  @Override
  public List<Outcome> ack(List<Delivery> deliveries) {
    checkOpen();
    return Collections.nCopies(deliveries.size(), Outcome.STALE);
  }

  @Override
  public Outcome release(Delivery delivery, Duration delay) {
    checkOpen();
    return Outcome.STALE;
  }

  @Override
  public List<Outcome> unclaim(List<Delivery> deliveries) {
    checkOpen();
    return Collections.nCopies(deliveries.size(), Outcome.STALE);
  }

  @Override
  public Outcome deadLetter(Delivery delivery, String reason) {
    checkOpen();
    return Outcome.STALE;
  }

  @Override
  public boolean has(byte[] identity) {
    checkOpen();
    return false;
  }

  @Override
  public long len() {
    checkOpen();
    return 0;
  }

  @Override
  public long removeAll() {
    checkOpen();
    return 0;
  }

  @Override
  public StoreStats stats() {
    checkOpen();
    return new StoreStats(0, 0, 0, 0, 0, Optional.empty());
  }

  @Override
  public List<DeadLetter> listDead(int offset, int limit) {
    checkOpen();
    return List.of();
  }

  @Override
  public long replayDead(Collection<Long> ids) {
    checkOpen();
    return 0;
  }

  @Override
  public long replayAllDead() {
    checkOpen();
    return 0;
  }

  @Override
  public long purgeDead(Collection<Long> ids) {
    checkOpen();
    return 0;
  }

  @Override
  public long purgeAllDead() {
    checkOpen();
    return 0;
  }

  @Override
  public void close() {
    closed.countDown();
  }

  @Override
  public String toString() {
    return "DummyQueue[" + name + ", " + mode + "]";
  }
}
