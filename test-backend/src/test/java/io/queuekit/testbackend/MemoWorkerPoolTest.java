package io.queuekit.testbackend;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;

/** The shared worker-pool suite on a backend queue-api has never heard of. */
class MemoWorkerPoolTest extends WorkerPoolConformanceTest {
  @Override
  protected TestBackend backend() {
    return MemoTestBackend.INSTANCE;
  }
}
