package io.queuekit.redis;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;
import io.queuekit.conformance.redis.RedisCluster;

/** The worker-pool suite on the JVM's shared 3-master Redis Cluster. */
class RedisClusterWorkerPoolTest extends WorkerPoolConformanceTest {
  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr());
  }
}
