package io.queuekit.channel;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;

/** The stateful model test on the channel backend. */
class ChannelBaseQueueModelTest extends BaseQueueModelTest {
  @Override
  protected TestBackend backend() {
    return ChannelTestBackend.INSTANCE;
  }
}
