package io.queuekit.level;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.TestBackend;

/**
 * The LevelDB backend as the shared suites see it: queues in the suite's data path ({@code
 * DATADIR=queues/common}), forced to one engine. {@link #kill} is the default close: LevelDB
 * recovers in-flight items when a queue is next opened.
 */
final class LevelBackend implements TestBackend {
  private final Engine engine;
  private final boolean neverQuarantine;

  LevelBackend(Engine engine) {
    this(engine, false);
  }

  private LevelBackend(Engine engine, boolean neverQuarantine) {
    this.engine = engine;
    this.neverQuarantine = neverQuarantine;
  }

  /**
   * The same backend with {@code MAX_RECOVERIES=0}: for {@code BaseQueueModelTest}, whose model
   * keeps recovering an item however often it crashed (it does not model the poison quarantine,
   * which {@link LevelRecoveryTest} and the crash suite cover).
   */
  LevelBackend neverQuarantine() {
    return new LevelBackend(engine, true);
  }

  static LevelBackend jni() {
    return new LevelBackend(Engine.JNI);
  }

  static LevelBackend java() {
    return new LevelBackend(Engine.JAVA);
  }

  @Override
  public String type() {
    return "level";
  }

  @Override
  public QueueCapabilities capabilities() {
    return QueueCapabilities.persistentSingleProcess();
  }

  @Override
  public QueueSettings.Builder configure(QueueSettings.Builder settings) {
    settings.connStr("leveldb://queues/common?engine=" + engine.option());
    return neverQuarantine ? settings.maxRecoveries(0) : settings;
  }
}
