package io.queuekit.admin;

import io.queuekit.DeadLetterEntry;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.internal.Previews;
import java.time.Instant;
import java.util.List;

/**
 * One dead letter as the API shows it; {@code preview} is the stored text, control characters
 * escaped and capped, for display as text only.
 */
record DeadView(long id, String reason, int deliveryCount, int recoveryCount, Instant firstPushed,
    Instant deadAt, String preview) {

  private static final int PREVIEW_CHARS = 500;

  /** A page of a queue's dead letters, with the total so the page can offer the next one. */
  record Page(String queue, long total, int offset, int limit, List<DeadView> entries) {}

  static Page page(WorkerPoolQueue<?> q, int offset, int limit) {
    List<? extends DeadLetterEntry<?>> entries = q.deadLetters(offset, limit);
    List<DeadView> views = entries.stream().map(DeadView::of).toList();
    return new Page(q.name(), q.stats().dead(), offset, limit, views);
  }

  private static DeadView of(DeadLetterEntry<?> e) {
    String text = e.json();
    String preview = Previews.text(text, PREVIEW_CHARS);
    return new DeadView(e.id(), e.reason(), e.deliveryCount(), e.recoveryCount(), e.firstPushed(), e.deadAt(), preview);
  }
}
