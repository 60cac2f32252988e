package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.conformance.redis.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The base-queue suite over TLS ({@code rediss://}) to a server with a self-signed certificate,
 * trusted with Gitea's {@code skipverify} option.
 */
class RedisTlsBaseQueueTest extends BaseQueueConformanceTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      new RedisServerExtension(() -> RedisServer.builder().tls().build());

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend("rediss://127.0.0.1:" + redis.server().tlsPort()
        + "/0?skipverify=true");
  }
}
