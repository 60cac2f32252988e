package io.queuekit.channel;

import io.queuekit.QueueClosedException;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel queue's in-flight items by delivery id, behind a lock of their own so that workers
 * acking batches never queue behind producers for the queue's lock. The queue takes this lock
 * after its own (never the other way round); an ack takes it alone, since an ack frees no room and
 * readies nothing.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread.
 *
 * <p><b>Ordering:</b> delivery ids grow by one per item handed out, from 1.
 */
final class InFlight {
  private final String queue;
  private final ReentrantLock lock = new ReentrantLock();
  /** A primitive-keyed map, since every item passes through it. */
  private final LongMap<Entry> byId = new LongMap<>();
  private long nextId = 1;
  private boolean closed;

  InFlight(String queue) {
    this.queue = queue;
  }

  /** Puts {@code entries} in flight under fresh delivery ids, in order; their deliveries. */
  List<Delivery> hand(List<Entry> entries) {
    List<Delivery> out = new ArrayList<>(entries.size());
    lock.lock();
    try {
      for (Entry e : entries) {
        long id = nextId++;
        byId.put(id, e);
        out.add(new Delivery(id, e.payload, e.deliveryCount, e.recoveryCount, e.firstPushed));
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /** Forgets each delivery: DONE, or STALE when it was not in flight (twice in one call too). */
  List<Outcome> ack(List<Delivery> deliveries) {
    lock.lock();
    try {
      if (closed) {
        throw new QueueClosedException(queue);
      }
      List<Outcome> out = new ArrayList<>(deliveries.size());
      for (Delivery d : deliveries) {
        out.add(byId.remove(d.id()) != null ? Outcome.DONE : Outcome.STALE);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Takes delivery {@code id} out of flight; null if it was not in flight (stale). */
  Entry remove(long id) {
    lock.lock();
    try {
      return byId.remove(id);
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return byId.size();
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything in flight; every later ack throws {@link QueueClosedException}. */
  void close() {
    lock.lock();
    try {
      closed = true;
      byId.clear();
    } finally {
      lock.unlock();
    }
  }
}
