package io.queuekit.channel;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;

/** The worker-pool suite on the in-memory backend. */
class ChannelWorkerPoolTest extends WorkerPoolConformanceTest {
  @Override
  protected TestBackend backend() {
    return ChannelTestBackend.INSTANCE;
  }
}
