package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisCluster;

/** The base-queue suite on the JVM's shared 3-master Redis Cluster. */
class RedisClusterBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr());
  }
}
