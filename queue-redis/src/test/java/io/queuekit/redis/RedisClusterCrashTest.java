package io.queuekit.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.crash.CrashConformanceTest;
import io.queuekit.conformance.redis.RedisCluster;
import org.junit.jupiter.api.BeforeEach;

/**
 * Real consumer JVMs killed with SIGKILL, on the JVM's shared Redis Cluster: only with {@code
 * -Pfull} (docs/DESIGN.md §7). The default run kills consumers on a standalone server
 * ({@link RedisCrashTest}), whose scripts are the cluster's, and runs the cluster's base,
 * worker-pool and model suites; the cluster's kills cost about 30 s of a 12-minute budget.
 */
class RedisClusterCrashTest extends CrashConformanceTest {
  @BeforeEach
  void onlyInTheFullRun() {
    assumeTrue(Boolean.getBoolean("queuekit.full"), "-Pfull runs the crash suite on a cluster");
  }

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr());
  }
}
