package io.queuekit.admin;

import io.queuekit.DeadLetterEntry;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.internal.Previews;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One dead letter as the API shows it; {@code reason} and {@code preview} are the stored texts,
 * control characters escaped and capped, for display as text only. A reason is stored at any
 * length (a handler's message, a stack trace): a cut one ends with {@code …(N chars)}, N being
 * its whole length.
 */
record DeadView(long id, String reason, int deliveryCount, int recoveryCount, Instant firstPushed,
    Instant deadAt, String preview) {

  private static final int PREVIEW_CHARS = 500;
  static final int REASON_CHARS = 1_000;
  /**
   * Dead letters read from the store at once: each arrives with its whole reason, so a page is
   * read in slices whose entries are cut to their views before the next is read.
   */
  static final int SLICE = 20;

  /** A page of a queue's dead letters, with the total so the page can offer the next one. */
  record Page(String queue, long total, int offset, int limit, List<DeadView> entries) {}

  /**
   * A page of {@code limit} dead letters from {@code offset}, read {@link #SLICE} at a time. A
   * dead letter arriving meanwhile moves the later ones down by one: one read twice is shown once.
   */
  static Page page(WorkerPoolQueue<?> q, int offset, int limit) {
    List<DeadView> views = new ArrayList<>(Math.min(limit, SLICE));
    Set<Long> seen = new HashSet<>();
    for (int read = 0; read < limit; ) {
      int n = Math.min(SLICE, limit - read);
      List<? extends DeadLetterEntry<?>> slice = q.deadLetters((int) Math.min(Integer.MAX_VALUE, (long) offset + read), n);
      for (DeadLetterEntry<?> e : slice) {
        if (seen.add(e.id())) {
          views.add(of(e));
        }
      }
      if (slice.size() < n) {
        break; // the last of them
      }
      read += n;
    }
    return new Page(q.name(), q.stats().dead(), offset, limit, views);
  }

  private static DeadView of(DeadLetterEntry<?> e) {
    String preview = Previews.text(e.json(), PREVIEW_CHARS); // json is the payload's first 2,000 characters
    return new DeadView(e.id(), reason(e.reason()), e.deliveryCount(), e.recoveryCount(), e.firstPushed(),
        e.deadAt(), preview);
  }

  /**
   * {@code reason} escaped and at most {@link #REASON_CHARS} characters, then {@code …(N chars)}
   * when anything was left out; only that prefix is ever escaped.
   */
  static String reason(String reason) {
    return reason == null ? "" : Previews.of(reason, REASON_CHARS);
  }
}
