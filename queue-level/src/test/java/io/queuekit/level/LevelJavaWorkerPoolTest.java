package io.queuekit.level;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.WorkerPoolConformanceTest;
import org.junit.jupiter.api.BeforeEach;

/**
 * The worker-pool suite on LevelDB with the pure-Java engine: only with {@code -Pfull} (docs/DESIGN.md §7:
 * the default run has the full suite on JNI and the base, model and crash tests on iq80).
 */
class LevelJavaWorkerPoolTest extends WorkerPoolConformanceTest {
  @BeforeEach
  void onlyInTheFullRun() {
    assumeTrue(Boolean.getBoolean("queuekit.full"), "-Pfull runs the worker-pool suite on iq80");
  }

  @Override
  protected TestBackend backend() {
    return LevelBackend.java();
  }
}
