package io.queuekit.examples;

import io.queuekit.QueueException;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.internal.ConnStrings;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's {@code --serve} trickle: each run offers one issue to index, and every fifth run a
 * mail too. It is meant for {@code scheduleAtFixedRate}, which cancels a task for good, silently,
 * the first time it throws: one store outage once stopped the trickle for the rest of the run. So
 * a failed push is caught and logged here, and the next run tries again.
 *
 * <p>An outage is logged once at WARN when its first push fails (the library's message, which
 * names the store with its password masked; masked again here, as anything this demo logs) and
 * once at INFO when a push works again, not at every failed run.
 *
 * <p><b>Thread-safety:</b> one run at a time, as a scheduled executor runs a periodic task.
 */
final class Trickle implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Trickle.class);

  private final WorkerPoolQueue<IndexerData> indexer;
  private final WorkerPoolQueue<Mail> mail;
  private final Duration period;
  /** The last issue id offered; ids far above the demo's own pushes. */
  private long n = 1_000_000;
  /** Failed runs of the current outage; 0 while pushes work. */
  private long failures;

  Trickle(WorkerPoolQueue<IndexerData> indexer, WorkerPoolQueue<Mail> mail, Duration period) {
    this.indexer = indexer;
    this.mail = mail;
    this.period = period;
  }

  @Override
  public void run() {
    long i = ++n;
    try {
      indexer.offer(new IndexerData(i, List.of(), false));
      if (i % 5 == 0) {
        mail.offer(new Mail("user" + i + "@example.com", "Issue #" + i + " updated"));
      }
    } catch (RuntimeException e) {
      if (failures++ == 0) {
        // a queue's failure says all an operator can act on; anything else keeps its class name
        String why = e instanceof QueueException ? e.getMessage() : e.toString();
        log.warn("--serve: a push failed; trying again every {} ms, and saying so once it works: "
            + "{}", period.toMillis(), ConnStrings.mask(why));
      }
      return;
    }
    if (failures > 0) {
      log.info("--serve: pushing again, after {} failed attempt(s)", failures);
      failures = 0;
    }
  }
}
