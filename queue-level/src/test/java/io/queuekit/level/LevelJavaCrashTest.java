package io.queuekit.level;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.crash.CrashConformanceTest;

/** Real processes killed with SIGKILL on LevelDB, pure-Java engine. */
class LevelJavaCrashTest extends CrashConformanceTest {
  @Override
  protected TestBackend backend() {
    return LevelBackend.java();
  }
}
