package io.queuekit.postgres;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;
import io.queuekit.spi.BaseQueue;
import java.time.Duration;

/**
 * The PostgreSQL backend as the shared suites see it: queues in the test class's database,
 * {@code CONSUMER_TIMEOUT} 3 s, and a kill that stops the queue as a dead process would (nothing
 * settled, its beat made old), so the next open recovers what it held.
 */
final class PostgresTestBackend implements TestBackend {
  private final String connStr;
  private final boolean neverQuarantine;

  PostgresTestBackend(String connStr) {
    this(connStr, false);
  }

  private PostgresTestBackend(String connStr, boolean neverQuarantine) {
    this.connStr = connStr;
    this.neverQuarantine = neverQuarantine;
  }

  /** {@code MAX_RECOVERIES=0}, for the model test, whose model recovers however often. */
  PostgresTestBackend neverQuarantine() {
    return new PostgresTestBackend(connStr, true);
  }

  @Override
  public String type() {
    return "postgres";
  }

  @Override
  public QueueCapabilities capabilities() {
    return QueueCapabilities.shared();
  }

  @Override
  public QueueSettings.Builder configure(QueueSettings.Builder settings) {
    settings.connStr(connStr).consumerTimeout(Duration.ofSeconds(3));
    return neverQuarantine ? settings.maxRecoveries(0) : settings;
  }

  @Override
  public void kill(BaseQueue queue) {
    ((PostgresQueue) queue).crash();
  }
}
