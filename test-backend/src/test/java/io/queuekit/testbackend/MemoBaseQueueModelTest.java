package io.queuekit.testbackend;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;

/** The shared stateful model test on a backend queue-api has never heard of. */
class MemoBaseQueueModelTest extends BaseQueueModelTest {
  @Override
  protected TestBackend backend() {
    return MemoTestBackend.INSTANCE;
  }
}
