package io.queuekit.redis;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;
import io.queuekit.conformance.redis.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker-pool suite on a standalone Redis. */
class RedisWorkerPoolTest extends WorkerPoolConformanceTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(redis.server().connStr());
  }
}
