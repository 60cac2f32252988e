package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payload;

import io.queuekit.PushResult;
import io.queuekit.QueueException;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Traffic through one queue while a test breaks the server under it (a failover, a slot move):
 * a producer thread pushes distinct items, pushing again any push that failed (it may be stored:
 * at least once), and a consumer thread claims, records and acks, acking again an ack that failed
 * (a held delivery stays held, as the worker pool retries it). The test compares {@link #pushed}
 * with {@link #handled} once {@link #stopAndDrain} has returned.
 *
 * <p><b>Thread-safety:</b> the sets and the liveness check may be read from any thread.
 */
final class Traffic {
  /** The items whose push returned {@link PushResult#ADDED}. */
  final Set<String> pushed = ConcurrentHashMap.newKeySet();
  /** The items a claim delivered, each once however often it came. */
  final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final RedisQueue queue;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread producer;
  private final Thread consumer;

  /** Starts both threads. @param pushWait how long one push may wait */
  Traffic(RedisQueue queue, Duration pushWait) {
    this.queue = queue;
    producer = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        String id = "item-" + i;
        while (!stop.get()) {
          try {
            if (queue.push(item(id), pushWait) == PushResult.ADDED) {
              pushed.add(id);
            }
            break;
          } catch (QueueException e) {
            // unconfirmed or unreachable: the item may be stored; push it again
          }
        }
      }
    }, "traffic-producer");
    consumer = new Thread(() -> {
      while (!stop.get()) {
        try {
          handle(queue.claim(10, Duration.ofMillis(200)));
        } catch (QueueException e) {
          // the claim loop retries by itself; this is a claim that gave up waiting
        }
      }
    }, "traffic-consumer");
    producer.start();
    consumer.start();
  }

  /** Whether both threads still run (a thread that died failed the test's premise). */
  boolean alive() {
    return producer.isAlive() && consumer.isAlive();
  }

  /** Stops both threads, then claims and handles what is still waiting, until none is. */
  void stopAndDrain() throws InterruptedException {
    stop.set(true);
    producer.join(10_000);
    consumer.join(10_000);
    for (List<Delivery> ds; !(ds = queue.claim(100, Duration.ofMillis(200))).isEmpty(); ) {
      handle(ds);
    }
  }

  private void handle(List<Delivery> ds) {
    ds.forEach(d -> handled.add(payload(d)));
    while (!ds.isEmpty()) {
      try {
        queue.ack(ds);
        return;
      } catch (QueueException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }
}
