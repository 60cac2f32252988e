package io.queuekit.dummy;

import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;

/**
 * The {@code dummy} and {@code immediate} backends as the shared suites see them: they store
 * nothing, so only the suites' {@code @EveryBackend} tests run on them.
 */
enum DummyTestBackends implements TestBackend {
  DUMMY("dummy", QueueCapabilities.discarding()),
  IMMEDIATE("immediate", QueueCapabilities.immediate());

  private final String type;
  private final QueueCapabilities capabilities;

  DummyTestBackends(String type, QueueCapabilities capabilities) {
    this.type = type;
    this.capabilities = capabilities;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public QueueCapabilities capabilities() {
    return capabilities;
  }
}
