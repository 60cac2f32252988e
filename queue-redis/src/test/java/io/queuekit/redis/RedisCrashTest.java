package io.queuekit.redis;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.crash.CrashConformanceTest;
import io.queuekit.conformance.redis.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real consumer JVMs killed with SIGKILL on a standalone Redis ({@code CONSUMER_TIMEOUT} 3 s): a
 * killed consumer's items come back once its heartbeat expires and a live consumer reaps it.
 */
class RedisCrashTest extends CrashConformanceTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(redis.server().connStr());
  }
}
