package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The base-queue suite on a standalone Redis. */
class RedisBaseQueueTest extends BaseQueueConformanceTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(redis.server().connStr());
  }
}
