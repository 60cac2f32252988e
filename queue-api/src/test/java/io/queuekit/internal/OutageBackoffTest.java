package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutageBackoffTest {
  @Test
  void startsAt100msAndDoublesUpTo5sThenStays() {
    List<Long> waits = new ArrayList<>();
    long w = 0;
    for (int i = 0; i < 10; i++) {
      w = OutageBackoff.next(w);
      waits.add(TimeUnit.NANOSECONDS.toMillis(w));
    }
    assertThat(waits).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L, 5000L);
  }

  @Test
  void neverExceedsTheCapNorOverflowsWhateverTheCallerKept() {
    for (long previous : new long[] {OutageBackoff.MAX_NANOS / 2, OutageBackoff.MAX_NANOS - 1,
        OutageBackoff.MAX_NANOS, OutageBackoff.MAX_NANOS + 1, Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE}) {
      assertThat(OutageBackoff.next(previous)).as("after %d", previous).isEqualTo(OutageBackoff.MAX_NANOS);
    }
  }

  @Test
  void anythingBelowTheFirstWaitStartsAnOutage() {
    for (long previous : new long[] {0, -1, Long.MIN_VALUE, OutageBackoff.MIN_NANOS - 1}) {
      assertThat(OutageBackoff.next(previous)).as("after %d", previous).isEqualTo(OutageBackoff.MIN_NANOS);
    }
  }
}
