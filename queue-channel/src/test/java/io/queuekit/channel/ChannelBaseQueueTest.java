package io.queuekit.channel;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The conformance suite on the channel backend. */
class ChannelBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return ChannelTestBackend.INSTANCE;
  }
}
