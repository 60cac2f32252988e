package io.queuekit.postgres;

import io.queuekit.conformance.SharedServerBackend;
import io.queuekit.spi.BaseQueue;

/**
 * The PostgreSQL backend as the shared suites see it: queues in the test class's database, and a
 * kill that stops the queue as a dead process would (nothing settled, its consumer forgotten),
 * so the next open recovers what it held.
 */
final class PostgresTestBackend extends SharedServerBackend {
  private final String connStr;

  PostgresTestBackend(String connStr) {
    this(connStr, false);
  }

  private PostgresTestBackend(String connStr, boolean neverQuarantine) {
    super("postgres", connStr, neverQuarantine);
    this.connStr = connStr;
  }

  /** {@code MAX_RECOVERIES=0}, for the model test. */
  PostgresTestBackend neverQuarantine() {
    return new PostgresTestBackend(connStr, true);
  }

  @Override
  public void kill(BaseQueue queue) {
    ((PostgresQueue) queue).crash();
  }
}
