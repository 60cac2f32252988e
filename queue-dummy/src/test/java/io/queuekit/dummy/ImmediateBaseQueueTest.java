package io.queuekit.dummy;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The shared base-queue suite on {@code immediate}: the tests that apply to every backend. */
class ImmediateBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return DummyTestBackends.IMMEDIATE;
  }
}
