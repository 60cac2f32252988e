package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisCluster;

/** The stateful model test, crash action included, on the JVM's shared Redis Cluster. */
class RedisClusterBaseQueueModelTest extends BaseQueueModelTest {
  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr()).neverQuarantine();
  }
}
