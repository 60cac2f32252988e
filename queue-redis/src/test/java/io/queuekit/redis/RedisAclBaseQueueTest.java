package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.conformance.redis.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The base-queue suite as an ACL user on a server whose default user needs a password. */
class RedisAclBaseQueueTest extends BaseQueueConformanceTest {
  static final String PASSWORD = "default-s3cret";
  static final String USER = "queuekit";
  static final String USER_PASSWORD = "user-s3cret";

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension(() -> RedisServer.builder()
      .password(PASSWORD).aclUser(USER, USER_PASSWORD).build());

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend("redis://" + USER + ":" + USER_PASSWORD + "@127.0.0.1:"
        + redis.server().port() + "/0");
  }
}
