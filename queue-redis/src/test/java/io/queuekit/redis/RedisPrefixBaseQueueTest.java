package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The base-queue suite with {@code ?prefix=}: every key of every queue carries the prefix. */
class RedisPrefixBaseQueueTest extends BaseQueueConformanceTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(redis.server().connStr() + "?prefix=tenant7:");
  }

  @AfterAll
  static void everyKeyIsPrefixed() {
    try (Resp r = redis.server().client()) {
      @SuppressWarnings("unchecked")
      List<Object> keys = (List<Object>) r.call("KEYS", "*");
      assertThat(keys).isNotEmpty()
          .allSatisfy(k -> assertThat((String) k).startsWith("{tenant7:"));
    }
  }
}
