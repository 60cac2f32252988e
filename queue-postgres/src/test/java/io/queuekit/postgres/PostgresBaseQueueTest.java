package io.queuekit.postgres;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.postgres.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The base-queue suite on PostgreSQL. */
class PostgresBaseQueueTest extends BaseQueueConformanceTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @Override
  protected TestBackend backend() {
    return new PostgresTestBackend(pg.connStr());
  }
}
