package io.queuekit.conformance;

import io.queuekit.QueueSettings;
import java.time.Duration;

/**
 * A backend whose queues live on a server several processes share (Redis, PostgreSQL), as the
 * shared suites see it: queues on the server behind {@code connStr}, {@code CONSUMER_TIMEOUT} 3 s,
 * and optionally {@code MAX_RECOVERIES=0} for the model test, whose model recovers an item however
 * often it crashed (the quarantine is covered by the crash suite). Subclasses say how a consumer
 * dies ({@link #kill}).
 */
public abstract class SharedServerBackend implements TestBackend {
  private final String type;
  private final String connStr;
  private final boolean neverQuarantine;

  protected SharedServerBackend(String type, String connStr, boolean neverQuarantine) {
    this.type = type;
    this.connStr = connStr;
    this.neverQuarantine = neverQuarantine;
  }

  @Override
  public String type() {
    return type;
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
}
