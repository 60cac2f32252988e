package io.queuekit.testbackend;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;

/** The memo backend as the shared suites see it: opened by TYPE through the registry. */
enum MemoTestBackend implements TestBackend {
  INSTANCE;

  @Override
  public String type() {
    return MemoQueueFactory.TYPE;
  }

  @Override
  public QueueCapabilities capabilities() {
    return QueueCapabilities.inMemory();
  }

  /** Its own CONN_STR form, so every queue the suites open goes through its rules. */
  @Override
  public QueueSettings.Builder configure(QueueSettings.Builder settings) {
    return settings.connStr("memo://suite");
  }
}
