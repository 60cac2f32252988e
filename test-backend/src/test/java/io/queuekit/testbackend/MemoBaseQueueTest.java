package io.queuekit.testbackend;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The shared store suite on a backend queue-api has never heard of. */
class MemoBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return MemoTestBackend.INSTANCE;
  }
}
