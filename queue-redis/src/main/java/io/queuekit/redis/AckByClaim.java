package io.queuekit.redis;

import static io.queuekit.redis.Entries.str;

import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One ack script's arguments for the deliveries an ack holds under one consumer: its ids grouped
 * by the claim that holds each (ack.lua settles a claim given whole with one {@code HDEL} of its
 * in-flight field), a whole claim sent as its field's name and -1 (no ids: each {@code ARGV}
 * string costs the server a Lua string), a part as its field's name and its ids. {@link #sent} lists the deliveries
 * (as indexes into the ack's list) in the order of the script's codes: claim by claim, a whole
 * claim's in id order.
 *
 * <p><b>Thread-safety:</b> built and read by one thread, the ack's.
 */
final class AckByClaim {
  /** ack.lua's count for a claim settled whole, sent without its ids. */
  private static final byte[] WHOLE_CLAIM = str(-1);

  private final List<Integer> sent = new ArrayList<>();
  private final List<byte[]> args = new ArrayList<>();

  /**
   * Groups {@code idx} (indexes into {@code deliveries}, held under one consumer) by claim; a
   * second copy of an id, or an id no claim holds now, is set {@link Outcome#STALE} in {@code out}
   * and not sent.
   *
   * @param claimOf the claim holding a delivery id, or null when it is not held
   */
  AckByClaim(long length, List<Delivery> deliveries, List<Integer> idx,
      LongFunction<HeldDeliveries.Range> claimOf, List<Outcome> out) {
    // a batch's ids usually ascend (one claim's are consecutive): then they are distinct, and no
    // set is needed to find a second copy
    Set<Long> seen = ascending(deliveries, idx) ? null : new HashSet<>();
    Map<HeldDeliveries.Range, List<Integer>> byClaim = new LinkedHashMap<>();
    HeldDeliveries.Range last = null;
    List<Integer> lastIdx = null;
    for (int i : idx) {
      long did = deliveries.get(i).id();
      if (seen != null && !seen.add(did)) {
        out.set(i, Outcome.STALE);
        continue;
      }
      if (last == null || did < last.first() || did >= last.first() + last.n()) {
        last = claimOf.apply(did);
        if (last == null) {
          out.set(i, Outcome.STALE);
          continue;
        }
        lastIdx = byClaim.computeIfAbsent(last, x -> new ArrayList<>());
      }
      lastIdx.add(i);
    }
    args.add(str(length));
    for (Map.Entry<HeldDeliveries.Range, List<Integer>> k : byClaim.entrySet()) {
      List<Integer> in = k.getValue();
      args.add(str(k.getKey().field()));
      // its ids are distinct, so n of them are all of the claim's
      if (in.size() == k.getKey().n()) {
        args.add(WHOLE_CLAIM);
        if (!ascending(deliveries, in)) {
          in.sort(Comparator.comparingLong(i -> deliveries.get(i).id()));
        }
        sent.addAll(in);
      } else {
        args.add(str(in.size()));
        for (int i : in) {
          args.add(str(deliveries.get(i).id()));
          sent.add(i);
        }
      }
    }
  }

  /** The deliveries sent, as indexes into the ack's list, in the order of the script's codes. */
  List<Integer> sent() {
    return sent;
  }

  /** ack.lua's {@code ARGV}: LENGTH, then each claim's group. */
  byte[][] args() {
    return args.toArray(new byte[0][]);
  }

  /**
   * Sets each sent delivery's outcome from the script's reply {@code r}: {room freed, one code
   * for every id} or {room freed, a code per id}; 1 is done, 0 stale.
   */
  void outcomes(List<Object> r, List<Outcome> out) {
    boolean one = r.size() == 2;
    for (int j = 0; j < sent.size(); j++) {
      long code = (Long) r.get(one ? 1 : 1 + j);
      out.set(sent.get(j), code == 1 ? Outcome.DONE : Outcome.STALE);
    }
  }

  /** Whether the deliveries at {@code idx} have strictly ascending ids (so none is repeated). */
  private static boolean ascending(List<Delivery> deliveries, List<Integer> idx) {
    long last = Long.MIN_VALUE;
    for (int i : idx) {
      long did = deliveries.get(i).id();
      if (did <= last) {
        return false;
      }
      last = did;
    }
    return true;
  }
}
