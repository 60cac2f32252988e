package io.queuekit.dummy;

import io.queuekit.conformance.WorkerPoolConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The shared worker-pool suite on {@code immediate}: the tests that apply to every backend. */
class ImmediateWorkerPoolTest extends WorkerPoolConformanceTest {
  @Override
  protected TestBackend backend() {
    return DummyTestBackends.IMMEDIATE;
  }
}
