package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.queuekit.PushResult;
import io.queuekit.QueueFullException;
import io.queuekit.QueueSettings;
import io.queuekit.internal.Digests;
import io.queuekit.redis.Scripts.Script;
import io.queuekit.spi.Item;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * The push path of a {@link RedisQueue}: splits a push into store calls of at most 256 items or
 * 4 MiB, runs each as one step ({@code push.lua}, or for a simple queue's ready items a
 * transaction with {@code pushed.lua}: docs/DESIGN.md §3.7), and waits for room when the queue is
 * full, up to the push's deadline.
 *
 * <p>On a unique queue an identity met twice in one push is a duplicate the second time, even if
 * the first copy was claimed meanwhile.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads; the caller holds the queue's
 * operations lock. <b>Ordering:</b> a push's items reach the tail in the order given. <b>Durability:
 * </b> each call's items are written by one step (script or transaction) or not at all.
 */
final class Pusher {
  private static final int PUSH_BATCH_ITEMS = 256;
  private static final int PUSH_BATCH_BYTES = 4 << 20;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] EMPTY = new byte[0];

  private final String name;
  private final boolean unique;
  private final QueueSettings settings;
  private final Clock clock;
  private final RedisCalls calls;
  private final RoomWatcher room;
  /** Items were added: the claimers of this process look again. */
  private final Runnable added;
  /** Delayed items were added, due at the given ms (queue clock). */
  private final LongConsumer dueAt;
  /** The max of this process's claims of the queue lately (0: none): the size packs are cut to. */
  private final IntSupplier claimSize;

  Pusher(String name, boolean unique, QueueSettings settings, Clock clock, RedisCalls calls,
      RoomWatcher room, Runnable added, LongConsumer dueAt, IntSupplier claimSize) {
    this.name = name;
    this.unique = unique;
    this.settings = settings;
    this.clock = clock;
    this.calls = calls;
    this.room = room;
    this.added = added;
    this.dueAt = dueAt;
    this.claimSize = claimSize;
  }

  /**
   * Pushes {@code items}, waiting for room until the timeout.
   *
   * @param single a one-item push: a {@link QueueFullException} then carries no results
   */
  List<PushResult> push(List<Item> items, Duration delay, long deadlineNanos, boolean single) {
    List<PushResult> results = new ArrayList<>(items.size());
    // a unique queue's digests, each computed once (a SHA-256 of the identity)
    String[] digests = unique ? digests(items) : null;
    Set<String> seen = unique ? new HashSet<>() : null;
    // A simple queue's ready items go as packs (in one transaction each), cut to the size of
    // this process's claims when it claims too: a claim takes a pack of its own size as it is,
    // and must read any other into Lua (docs/DESIGN.md §3.8)
    boolean packs = !unique && delay.isZero() && calls.pushesInTransaction();
    int claims = claimSize.getAsInt();
    int perCall = packs && claims >= 2 ? Math.min(claims, PUSH_BATCH_ITEMS) : PUSH_BATCH_ITEMS;
    int i = 0;
    while (i < items.size()) {
      if (unique && seen.contains(digests[i])) {
        results.add(PushResult.DUPLICATE);
        i++;
        continue;
      }
      Set<String> inBatch = unique ? new HashSet<>() : null;
      int end = i;
      long bytes = 0;
      while (end < items.size() && end - i < perCall
          && (end == i || bytes < PUSH_BATCH_BYTES)) {
        if (unique && (seen.contains(digests[end]) || !inBatch.add(digests[end]))) {
          break;
        }
        bytes += items.get(end).payload().length;
        end++;
      }
      List<Object> r;
      if (packs && end - i > 1) {
        // a simple queue's ready items: the entries go to the list without passing through Lua
        long now = clock.millis();
        byte[][] payloads = new byte[end - i][];
        for (int j = i; j < end; j++) {
          payloads[j - i] = items.get(j).payload();
        }
        r = codes(calls.pushInTransaction(Packs.pack(simpleHead(now), payloads), deadlineNanos,
            str(now),
            str(settings.length()), str(end - i), str(settings.globalMaxWorkers())));
      } else {
        r = calls.callRetrying(Script.PUSH, null, deadlineNanos,
            args(items, digests, i, end, delay, true));
      }
      boolean full = false;
      boolean any = false;
      for (Object o : r) {
        PushResult p = code((Long) o);
        if (p == PushResult.FULL) {
          full = true;
          break;
        }
        any |= p == PushResult.ADDED;
        if (unique) {
          seen.add(digests[i]);
        }
        results.add(p);
        i++;
      }
      if (any) {
        added.run();
        if (delay.toMillis() > 0) {
          dueAt.accept(clock.millis() + delay.toMillis());
        }
      }
      if (full && !room.awaitRoom(deadlineNanos)) {
        throw new QueueFullException(name, settings.length(), single ? List.of() : results);
      }
    }
    return results;
  }

  /** One try, no waiting for room or for an outage to end: {@code BaseQueue.offer}. */
  PushResult offer(Item item) {
    List<Item> one = List.of(item);
    List<Object> r = calls.call(Script.PUSH, null, args(one, unique ? digests(one) : null, 0, 1,
        Duration.ZERO, false));
    PushResult result = code((Long) r.get(0));
    if (result == PushResult.ADDED) {
      added.run();
    }
    return result;
  }

  /** The hex digest of an identity, as the unique set's fields hold it. */
  static String digest(byte[] identity) {
    return HEX.formatHex(Digests.sha256(identity));
  }

  private static String[] digests(List<Item> items) {
    String[] d = new String[items.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = digest(items.get(i).identity());
    }
    return d;
  }

  /**
   * push.lua's ARGV: now, LENGTH, mark full, due, unique, GLOBAL_MAX_WORKERS, then a unique
   * queue's items each as digest and entry, others as the entry alone (an argument costs the
   * server on its own, beside its bytes).
   *
   * @param digests the items' digests on a unique queue, else null
   */
  private byte[][] args(List<Item> items, String[] digests, int from, int to, Duration delay,
      boolean markFull) {
    long now = clock.millis();
    long due = delay.isZero() || delay.isNegative() ? 0 : now + delay.toMillis();
    int per = unique ? 2 : 1;
    byte[][] args = new byte[6 + per * (to - from)][];
    args[0] = str(now);
    args[1] = str(settings.length());
    args[2] = str(markFull ? "1" : "0");
    args[3] = str(due);
    args[4] = str(unique ? "1" : "0");
    args[5] = str(settings.globalMaxWorkers());
    if (!unique) {
      simpleEntries(items, from, to, now, args, 6);
      return args;
    }
    int a = 6;
    byte[] prefix = Entries.newPrefix(now);
    for (int i = from; i < to; i++) {
      byte[] dg = str(digests[i]);
      args[a++] = dg;
      args[a++] = Entries.entry(prefix, dg, items.get(i).payload());
    }
    return args;
  }

  /** What every entry of a simple queue's push at {@code now} starts with: no digest. */
  private static byte[] simpleHead(long now) {
    return Entries.entry(Entries.newPrefix(now), EMPTY, EMPTY);
  }

  /** The entries of a simple queue's items {@code from..to}, into {@code out} at {@code at}. */
  private static void simpleEntries(List<Item> items, int from, int to, long now, byte[][] out,
      int at) {
    byte[] prefix = Entries.newPrefix(now);
    for (int i = from; i < to; i++) {
      out[at + i - from] = Entries.entry(prefix, EMPTY, items.get(i).payload());
    }
  }

  /** push.lua's codes from pushed.lua's {admitted, full}: 0 per admitted item, then 2 if full. */
  private static List<Object> codes(List<Object> admittedFull) {
    int admitted = ((Long) admittedFull.get(0)).intValue();
    boolean full = (Long) admittedFull.get(1) == 1L;
    List<Object> codes = new ArrayList<>(admitted + 1);
    for (int k = 0; k < admitted; k++) {
      codes.add(0L);
    }
    if (full) {
      codes.add(2L);
    }
    return codes;
  }

  private static PushResult code(long c) {
    return c == 0 ? PushResult.ADDED : c == 1 ? PushResult.DUPLICATE : PushResult.FULL;
  }
}
