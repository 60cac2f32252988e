package io.queuekit.postgres;

import io.queuekit.conformance.WorkerPoolConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.postgres.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker-pool suite on PostgreSQL. */
class PostgresWorkerPoolTest extends WorkerPoolConformanceTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @Override
  protected TestBackend backend() {
    return new PostgresTestBackend(pg.connStr());
  }
}
