package io.queuekit.postgres;

import io.queuekit.conformance.crash.CrashConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.postgres.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real consumer JVMs killed with SIGKILL on PostgreSQL (CONSUMER_TIMEOUT 3 s): a killed consumer's items come back once its beat is older than the timeout and a live consumer's beat finds it. */
class PostgresCrashTest extends CrashConformanceTest {
  @RegisterExtension
  static final PostgresExtension pg = new PostgresExtension();

  @Override
  protected TestBackend backend() {
    return new PostgresTestBackend(pg.connStr());
  }
}
