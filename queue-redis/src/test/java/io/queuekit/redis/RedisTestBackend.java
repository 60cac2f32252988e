package io.queuekit.redis;

import io.queuekit.conformance.SharedServerBackend;
import io.queuekit.spi.BaseQueue;

/**
 * The Redis backend as the shared suites see it: queues on the server (or cluster) behind {@code
 * connStr}, and a kill that stops the queue as a dead process would (no settle, no unregister),
 * deletes its heartbeat and runs the reaper.
 */
final class RedisTestBackend extends SharedServerBackend {
  private final String connStr;

  RedisTestBackend(String connStr) {
    this(connStr, false);
  }

  private RedisTestBackend(String connStr, boolean neverQuarantine) {
    super("redis", connStr, neverQuarantine);
    this.connStr = connStr;
  }

  /** {@code MAX_RECOVERIES=0}, for the model test. */
  RedisTestBackend neverQuarantine() {
    return new RedisTestBackend(connStr, true);
  }

  @Override
  public void kill(BaseQueue queue) {
    ((RedisQueue) queue).crashAndReap();
  }
}
