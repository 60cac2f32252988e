package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oldest-waiting statistic keeps a bounded number of time buckets however many items wait:
 * exact up to {@link WaitingTimes#MAX_BUCKETS} distinct times, never later than the truth and
 * within the stated error past that.
 */
class LevelWaitingTimesTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  /** Random adds and removes against an exact multiset of the same times. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> runs() {
    // 200 runs from a master seed printed in each run's name; edges of distinctTimes included
    Random master = new Random();
    return java.util.stream.IntStream.range(0, 200).mapToObj(i -> org.junit.jupiter.params.provider
        .Arguments.of(master.nextLong(), i == 0 ? 1 : i == 1 ? 600 : 1 + master.nextInt(600)));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}, {1} distinct times")
  @org.junit.jupiter.params.provider.MethodSource("runs")
  void neverLaterThanTheTruthExactWhileFewTimesAndBounded(long seed, int distinctTimes) {
    Random r = new Random(seed);
    WaitingTimes w = new WaitingTimes();
    TreeMap<Long, Integer> exact = new TreeMap<>();
    long[] times = new long[distinctTimes];
    for (int i = 0; i < times.length; i++) {
      times[i] = r.nextInt(3) == 0 ? r.nextLong() : 1_000_000L * r.nextInt(10_000);
    }
    boolean everMerged = false;
    for (int step = 0; step < 3_000; step++) {
      if (exact.isEmpty() || r.nextInt(5) < 3) {
        long t = times[r.nextInt(times.length)];
        w.add(t);
        exact.merge(t, 1, Integer::sum);
      } else {
        // Remove a random waiting item, biased to the oldest as a FIFO queue would.
        long t = r.nextBoolean() ? exact.firstKey() : pick(exact, r);
        w.remove(t);
        exact.computeIfPresent(t, (k, n) -> n == 1 ? null : n - 1);
      }
      everMerged |= exact.size() > WaitingTimes.MAX_BUCKETS;
      assertThat(w.buckets()).isLessThanOrEqualTo(WaitingTimes.MAX_BUCKETS);
      assertThat(w.total()).isEqualTo(exact.values().stream().mapToLong(Integer::longValue).sum());
      if (exact.isEmpty()) {
        assertThat(w.oldest(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        everMerged = false; // an empty set starts over exact
        continue;
      }
      long truth = exact.firstKey();
      assertThat(w.oldest(Long.MAX_VALUE)).isLessThanOrEqualTo(truth);
      if (!everMerged) {
        assertThat(w.oldest(Long.MAX_VALUE)).isEqualTo(truth);
      }
    }
  }

  private static long pick(TreeMap<Long, Integer> m, Random r) {
    int i = r.nextInt(m.size());
    for (Map.Entry<Long, Integer> e : m.entrySet()) {
      if (i-- == 0) {
        return e.getKey();
      }
    }
    throw new AssertionError();
  }

  @Test
  void timesInPushOrderStayWithinOneSixtyFourthOfTheirSpan() {
    WaitingTimes w = new WaitingTimes();
    long n = 100_000;
    for (long t = 0; t < n; t++) {
      w.add(t * 1000);
    }
    assertThat(w.buckets()).isEqualTo(WaitingTimes.MAX_BUCKETS);
    assertThat(w.oldest(-1)).isZero();
    // FIFO: take the oldest half; the report may be early by one bucket at most.
    for (long t = 0; t < n / 2; t++) {
      w.remove(t * 1000);
    }
    long truth = (n / 2) * 1000;
    long span = (n - 1) * 1000;
    assertThat(w.oldest(-1)).isLessThanOrEqualTo(truth).isGreaterThanOrEqualTo(truth - span / 64);
    assertThat(w.total()).isEqualTo(n / 2);
  }

  @Test
  void aQueueWithManyDistinctPushTimesKeepsBoundedBucketsAndNeverReportsAnItemYounger() {
    int n = 3_000;
    try (LevelQueue q = f.openLevel("times", false, b -> b.length(n))) {
      Instant first = f.clock.instant();
      for (int i = 0; i < n; i++) {
        q.push(item("i" + i), LONG);
        f.clock.advance(Duration.ofMillis(1));
      }
      assertThat(q.len()).isEqualTo(n);
      assertThat(buckets(q)).isLessThanOrEqualTo(WaitingTimes.MAX_BUCKETS);
      assertThat(q.stats().oldestWaiting()).contains(first);

      // Claim and ack the oldest two thirds; what is left was first pushed at `truth`.
      int gone = 2 * n / 3;
      while (q.len() > n - gone) {
        List<Delivery> ds = q.claim((int) Math.min(100, q.len() - (n - gone)), Duration.ZERO);
        q.ack(ds);
      }
      Instant truth = first.plusMillis(gone);
      Instant reported = q.stats().oldestWaiting().orElseThrow();
      assertThat(reported).isBeforeOrEqualTo(truth)
          .isAfterOrEqualTo(truth.minus(Duration.ofMillis(n).dividedBy(64)));
      assertThat(buckets(q)).isLessThanOrEqualTo(WaitingTimes.MAX_BUCKETS);

      // Once few times wait again, the answer is exact.
      q.removeAll();
      assertThat(q.stats().oldestWaiting()).isEmpty();
      Instant now = f.clock.instant();
      q.push(item("alone"), LONG);
      assertThat(q.stats().oldestWaiting()).contains(now);
    }
  }

  private static int buckets(LevelQueue q) {
    return q.waitingBuckets();
  }

  @Test
  void aReleasedItemKeepsItsTimeWhenManyTimesWait() {
    try (BaseQueue q = f.open("rel", false, b -> b.length(1000))) {
      Instant t0 = f.clock.instant();
      q.push(item("old"), LONG);
      for (int i = 0; i < 500; i++) {
        f.clock.advance(Duration.ofSeconds(1));
        q.push(item("n" + i), LONG);
      }
      Delivery old = q.claim(1, Duration.ZERO).get(0);
      assertThat(q.stats().oldestWaiting().orElseThrow()).isBeforeOrEqualTo(t0.plusSeconds(1));
      q.release(old, Duration.ZERO); // at the tail now, yet still the oldest
      assertThat(q.stats().oldestWaiting()).contains(t0);
    }
  }
}
