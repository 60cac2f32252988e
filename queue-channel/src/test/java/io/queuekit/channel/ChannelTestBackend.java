package io.queuekit.channel;

import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;

/** The channel backend as the suites see it: in memory, nothing to start or stop. */
enum ChannelTestBackend implements TestBackend {
  INSTANCE;

  @Override
  public String type() {
    return ChannelQueueFactory.TYPE;
  }

  @Override
  public QueueCapabilities capabilities() {
    return QueueCapabilities.inMemory();
  }
}
