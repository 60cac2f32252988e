package io.queuekit.level;

import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.TestBackend;

/** The stateful model test (crashes included) on LevelDB, native engine. */
class LevelBaseQueueModelTest extends BaseQueueModelTest {
  @Override
  protected TestBackend backend() {
    return LevelBackend.jni().neverQuarantine();
  }
}
