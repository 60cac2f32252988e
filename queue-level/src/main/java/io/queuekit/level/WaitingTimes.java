package io.queuekit.level;

/**
 * The first-pushed times of one queue's waiting items, for {@code stats().oldestWaiting}, in at
 * most {@link #MAX_BUCKETS} buckets, so the heap it takes does not grow with the number of waiting
 * items (the items themselves live only in LevelDB).
 *
 * <p>A bucket is a time range {@code lo..hi} with the number of waiting items whose first-pushed
 * time lies in it; buckets never overlap and are kept in time order. A time that falls in a
 * bucket joins it; any other time opens a bucket of its own. When that makes one bucket too many,
 * the two neighbours whose merged range is the shortest merge. An item leaving takes one from the
 * bucket its time lies in; an empty bucket is dropped.
 *
 * <p><b>Accuracy.</b> {@link #oldest(long)} is the {@code lo} of the oldest non-empty bucket: the
 * earliest time that bucket ever held. It is exact whenever no merged bucket is left (every bucket
 * is one time): as long as no more than {@value #MAX_BUCKETS} distinct first-pushed times have
 * waited at once, which covers every queue whose {@code LENGTH} plus items in flight (unclaim and
 * recovery put those back without a room check) is at most that, and again once the merged
 * buckets have emptied. Otherwise it is never later than the true oldest (an item is never
 * reported younger than it is, the safe side for {@code health()}), and earlier by at most the
 * range of that bucket. A merge happens only when {@value
 * #MAX_BUCKETS} + 1 buckets lie within the range {@code S} from the oldest bucket's {@code lo} to
 * the newest time; their 64 disjoint neighbour pairs share {@code S}, so the pair merged spans at
 * most {@code S / 64}: with items waiting for an hour, the reported oldest is at most about a
 * minute early.
 *
 * <p><b>Thread-safety:</b> none; guarded by its {@link QueueState}'s lock (the DB's combining lock).
 */
final class WaitingTimes {
  /** Buckets kept at most; the exactness and error bounds above follow from it. */
  static final int MAX_BUCKETS = 128;

  private final long[] lo = new long[MAX_BUCKETS + 1];
  private final long[] hi = new long[MAX_BUCKETS + 1];
  private final long[] count = new long[MAX_BUCKETS + 1];
  private int size;

  /** Counts one more waiting item first pushed at {@code t}. */
  void add(long t) {
    int i = floor(t);
    if (i >= 0 && t <= hi[i]) {
      count[i]++;
      return;
    }
    int at = i + 1;
    System.arraycopy(lo, at, lo, at + 1, size - at);
    System.arraycopy(hi, at, hi, at + 1, size - at);
    System.arraycopy(count, at, count, at + 1, size - at);
    lo[at] = t;
    hi[at] = t;
    count[at] = 1;
    size++;
    if (size > MAX_BUCKETS) {
      mergeClosestPair();
    }
  }

  /** Counts one waiting item first pushed at {@code t} less; a time never added is ignored. */
  void remove(long t) {
    int i = floor(t);
    if (i < 0 || t > hi[i]) {
      return;
    }
    if (--count[i] == 0) {
      System.arraycopy(lo, i + 1, lo, i, size - i - 1);
      System.arraycopy(hi, i + 1, hi, i, size - i - 1);
      System.arraycopy(count, i + 1, count, i, size - i - 1);
      size--;
    }
  }

  /** The earliest first-pushed time of a waiting item (see the class javadoc), else {@code none}. */
  long oldest(long none) {
    return size == 0 ? none : lo[0];
  }

  void clear() {
    size = 0;
  }

  /** Buckets in use (tests check the bound). */
  int buckets() {
    return size;
  }

  /** The waiting items counted (tests check it against the queue's). */
  long total() {
    long n = 0;
    for (int i = 0; i < size; i++) {
      n += count[i];
    }
    return n;
  }

  /** Index of the last bucket whose {@code lo} is at most {@code t}, or -1. */
  private int floor(long t) {
    // Pushes come in time order, so the newest bucket is the usual answer: look there first.
    if (size > 0 && lo[size - 1] <= t) {
      return size - 1;
    }
    int a = 0;
    int b = size - 1;
    while (a <= b) {
      int m = (a + b) >>> 1;
      if (lo[m] <= t) {
        a = m + 1;
      } else {
        b = m - 1;
      }
    }
    return b;
  }

  private void mergeClosestPair() {
    int best = 0;
    for (int j = 1; j < size - 1; j++) {
      // hi ≥ lo, so the difference is exact as an unsigned number even across the whole range.
      if (Long.compareUnsigned(hi[j + 1] - lo[j], hi[best + 1] - lo[best]) < 0) {
        best = j;
      }
    }
    hi[best] = hi[best + 1];
    count[best] += count[best + 1];
    int from = best + 2;
    System.arraycopy(lo, from, lo, best + 1, size - from);
    System.arraycopy(hi, from, hi, best + 1, size - from);
    System.arraycopy(count, from, count, best + 1, size - from);
    size--;
  }
}
