package io.queuekit.redis;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The stateful model test on a standalone Redis, crash action included (the consumer stops as a
 * killed process would, its heartbeat is deleted and the reaper runs).
 */
class RedisBaseQueueModelTest extends BaseQueueModelTest {
  private static RedisServer server;

  @BeforeAll
  static void startServer() {
    server = RedisServer.startPlain();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(server.connStr()).neverQuarantine();
  }
}
