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

  LevelBackend(Engine engine) {
    this.engine = engine;
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
    return settings.connStr("leveldb://queues/common?engine=" + engine.option());
  }
}
