package io.queuekit.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RBlockingQueue;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;

/**
 * The Redisson baselines: an {@link RBlockingQueue} of encoded items ({@link ByteArrayCodec}, so
 * the codec is the same {@code JacksonCodec} as on our side), Redisson's defaults otherwise.
 *
 * <ul>
 *   <li>per item: {@code offer} each item, {@code poll} each item (one round trip each);
 *   <li>batched: {@code addAll} per push call (one {@code RPUSH} with every item), {@code
 *       poll(max)} per take (one command popping up to max).
 * </ul>
 *
 * <p>Waiting: Redisson rounds a blocking poll's timeout up to whole seconds (feasibility.md §4d:
 * {@code poll(200 ms)} sends {@code BLPOP key 1}), so only the wait for a batch's first item
 * blocks; the rest of a batch is taken without waiting, and an empty queue ends the batch early
 * rather than stalling it for a second. That favours the baseline slightly (no debounce wait).
 *
 * <p>At-most-once, like every raw baseline: an item polled is gone.
 */
final class RedissonStore implements RawStore {
  private final RedissonClient client;
  private final RBlockingQueue<byte[]> queue;
  private final boolean batched;

  /**
   * @param address {@code redis://host:port}
   * @param name the queue's key; deleted first, so each store starts empty
   * @param batched {@code addAll} / {@code poll(max)} instead of one item per call
   */
  RedissonStore(String address, String name, boolean batched) {
    Config config = new Config();
    config.useSingleServer().setAddress(address);
    this.client = Redisson.create(config);
    this.queue = client.getBlockingQueue(name, ByteArrayCodec.INSTANCE);
    this.queue.delete();
    this.batched = batched;
  }

  @Override
  public void put(List<byte[]> items) {
    if (batched) {
      if (!queue.addAll(items)) {
        throw new IllegalStateException("Redisson addAll of " + items.size() + " items failed");
      }
      return;
    }
    for (byte[] item : items) {
      if (!queue.offer(item)) {
        throw new IllegalStateException("Redisson offer failed");
      }
    }
  }

  @Override
  public List<byte[]> take(int max, long waitNanos) throws InterruptedException {
    List<byte[]> out = new ArrayList<>(max);
    if (batched) {
      out.addAll(queue.poll(max));
    } else {
      for (byte[] v; out.size() < max && (v = queue.poll()) != null; ) {
        out.add(v);
      }
    }
    // Block for the first item only when the caller waits for a first item (not a debounce rest).
    if (out.isEmpty() && waitNanos >= Consumers.POLL_NANOS) {
      byte[] first = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
      if (first != null) {
        out.add(first);
      }
    }
    return out;
  }

  @Override
  public String describe() {
    return "Redisson queue: size " + queue.size();
  }

  @Override
  public void close() {
    // No quiet period: Redisson's default waits 2 s for more work on its event loops, which would
    // only lengthen every fork's tear-down.
    client.shutdown(0, 15, TimeUnit.SECONDS);
  }
}
