package io.queuekit.postgres;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.postgres.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stateful model test on PostgreSQL, crash action included. */
class PostgresBaseQueueModelTest extends BaseQueueModelTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @Override
  protected TestBackend backend() {
    return new PostgresTestBackend(pg.connStr()).neverQuarantine();
  }
}
