package io.queuekit.dummy;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The shared base-queue suite on {@code dummy}: the tests that apply to every backend. */
class DummyBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return DummyTestBackends.DUMMY;
  }
}
