package io.queuekit.level;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;

/** The base-queue conformance suite on LevelDB, native engine. */
class LevelBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return LevelBackend.jni();
  }
}
