package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisSentinel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The base-queue suite through a Redis Sentinel ({@code redis+sentinel://…?mastername=}). */
class RedisSentinelBaseQueueTest extends BaseQueueConformanceTest {
  private static RedisSentinel sentinel;

  @BeforeAll
  static void startSentinel() {
    sentinel = RedisSentinel.start();
  }

  @AfterAll
  static void stopSentinel() {
    sentinel.close();
  }

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(sentinel.connStr());
  }
}
