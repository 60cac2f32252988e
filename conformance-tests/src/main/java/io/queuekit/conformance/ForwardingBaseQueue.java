package io.queuekit.conformance;

import io.queuekit.PushResult;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A store whose every call goes to a real one: a mutation check overrides one call to break one
 * rule of the contract ({@link TestBackend#wrap}), and shows the suites catch it.
 *
 * <p><b>Thread-safety:</b> that of the store it forwards to.
 */
public abstract class ForwardingBaseQueue implements BaseQueue {
  /** The real store. */
  protected final BaseQueue q;

  protected ForwardingBaseQueue(BaseQueue q) {
    this.q = q;
  }

  @Override public String name() { return q.name(); }
  @Override public boolean unique() { return q.unique(); }
  @Override public Mode mode() { return q.mode(); }
  @Override public PushResult push(Item item, Duration delay, Duration timeout) { return q.push(item, delay, timeout); }
  @Override public List<PushResult> pushAll(List<Item> items, Duration timeout) { return q.pushAll(items, timeout); }
  @Override public PushResult offer(Item item) { return q.offer(item); }
  @Override public List<Delivery> claim(int max, Duration wait) { return q.claim(max, wait); }
  @Override public boolean claimAhead(int max) { return q.claimAhead(max); }
  @Override public List<Outcome> ack(List<Delivery> ds) { return q.ack(ds); }
  @Override public Outcome release(Delivery d, Duration delay) { return q.release(d, delay); }
  @Override public List<Outcome> unclaim(List<Delivery> ds) { return q.unclaim(ds); }
  @Override public Outcome deadLetter(Delivery d, String reason) { return q.deadLetter(d, reason); }
  @Override public boolean has(byte[] identity) { return q.has(identity); }
  @Override public long len() { return q.len(); }
  @Override public long removeAll() { return q.removeAll(); }
  @Override public StoreStats stats() { return q.stats(); }
  @Override public List<DeadLetter> listDead(int offset, int limit) { return q.listDead(offset, limit); }
  @Override public List<DeadLetter> findDead(Collection<Long> ids) { return q.findDead(ids); }
  @Override public long replayDead(Collection<Long> ids) { return q.replayDead(ids); }
  @Override public long replayAllDead() { return q.replayAllDead(); }
  @Override public long purgeDead(Collection<Long> ids) { return q.purgeDead(ids); }
  @Override public long purgeAllDead() { return q.purgeAllDead(); }
  @Override public void close() { q.close(); }
}
