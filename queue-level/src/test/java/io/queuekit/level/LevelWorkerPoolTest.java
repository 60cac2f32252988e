package io.queuekit.level;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;

/** The worker-pool suite on LevelDB with the native engine. */
class LevelWorkerPoolTest extends WorkerPoolConformanceTest {
  @Override
  protected TestBackend backend() {
    return LevelBackend.jni();
  }
}
