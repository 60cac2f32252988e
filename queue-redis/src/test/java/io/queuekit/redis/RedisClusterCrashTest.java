package io.queuekit.redis;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.crash.CrashConformanceTest;
import io.queuekit.conformance.redis.RedisCluster;

/** Real consumer JVMs killed with SIGKILL, on the JVM's shared Redis Cluster. */
class RedisClusterCrashTest extends CrashConformanceTest {
  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr());
  }
}
