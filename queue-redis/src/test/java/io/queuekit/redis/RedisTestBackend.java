package io.queuekit.redis;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;
import io.queuekit.spi.BaseQueue;
import java.time.Duration;

/**
 * The Redis backend as the shared suites see it: queues on the server (or cluster) behind {@code
 * connStr}, {@code CONSUMER_TIMEOUT} 3 s, and a kill that stops the queue as a dead process would
 * (no settle, no unregister), deletes its heartbeat and runs the reaper.
 */
final class RedisTestBackend implements TestBackend {
  private final String connStr;
  private final boolean neverQuarantine;

  RedisTestBackend(String connStr) {
    this(connStr, false);
  }

  private RedisTestBackend(String connStr, boolean neverQuarantine) {
    this.connStr = connStr;
    this.neverQuarantine = neverQuarantine;
  }

  /**
   * The same backend with {@code MAX_RECOVERIES=0}, for the model test: its model recovers an item
   * however often it crashed (the poison quarantine is covered by RedisQueueTest and the crash
   * suite).
   */
  RedisTestBackend neverQuarantine() {
    return new RedisTestBackend(connStr, true);
  }

  @Override
  public String type() {
    return "redis";
  }

  @Override
  public QueueCapabilities capabilities() {
    return QueueCapabilities.shared();
  }

  @Override
  public QueueSettings.Builder configure(QueueSettings.Builder settings) {
    settings.connStr(connStr).consumerTimeout(Duration.ofSeconds(3));
    return neverQuarantine ? settings.maxRecoveries(0) : settings;
  }

  @Override
  public void kill(BaseQueue queue) {
    ((RedisQueue) queue).crashAndReap();
  }
}
