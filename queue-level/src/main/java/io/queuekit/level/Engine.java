package io.queuekit.level;

import io.queuekit.QueueUnavailableException;
import java.util.Locale;
import org.iq80.leveldb.DBFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two LevelDB engines. Both read and write the same on-disk format, so a directory written by
 * one opens with the other (iq80 reads leveldbjni's snappy-compressed blocks because {@code
 * org.iq80.snappy:snappy} is on the class path).
 *
 * <ul>
 *   <li>{@link #JNI}: leveldbjni, Google's C++ LevelDB. The default where its native library loads
 *       (x86-64 Linux, macOS and Windows). It unpacks the library into {@code java.io.tmpdir}.
 *   <li>{@link #JAVA}: iq80's pure-Java port: the fallback elsewhere (ARM64, Apple silicon), with
 *       one WARN per process. Its reads and deletes are about 40 % slower, and it has no repair.
 * </ul>
 *
 * <p><b>Thread-safety:</b> immutable; the native probe runs once per process.
 */
enum Engine {
  JNI("jni"),
  JAVA("java");

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final String option;

  Engine(String option) {
    this.option = option;
  }

  /** The {@code engine=} value naming this engine. */
  String option() {
    return option;
  }

  DBFactory factory() {
    return this == JNI ? org.fusesource.leveldbjni.JniDBFactory.factory
        : org.iq80.leveldb.impl.Iq80DBFactory.factory;
  }

  /** The engine for an {@code engine=} value, or null when it names none. */
  static Engine forOption(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Engine e : values()) {
      if (e.option.equals(v)) {
        return e;
      }
    }
    return null;
  }

  /** Whether the native library loads in this process. */
  static boolean nativeAvailable() {
    return Native.FAILURE == null;
  }

  /**
   * The engine to open {@code dir} with: the requested one, or (null) JNI where it loads, else
   * JAVA with one WARN per process.
   *
   * @throws QueueUnavailableException {@code engine=jni} was requested where it does not load
   */
  static Engine choose(Engine requested, String dir) {
    if (requested == JAVA) {
      return JAVA;
    }
    if (nativeAvailable()) {
      return JNI;
    }
    if (requested == JNI) {
      throw new QueueUnavailableException("LevelDB at " + dir + ": engine=jni was requested, but "
          + "the leveldbjni native library does not load on " + platform() + " ("
          + Native.FAILURE + "); use engine=java or leave the engine unset", Native.FAILURE);
    }
    Native.warnOnce();
    return JAVA;
  }

  static String platform() {
    return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
  }

  /** Loads the native library once; its failure, if any, is kept for every later question. */
  private static final class Native {
    static final Throwable FAILURE = probe();
    private static boolean warned;

    private static Throwable probe() {
      try {
        // The factory loads the library lazily at the first open; ask for it directly so the
        // choice is made before touching any directory.
        org.fusesource.leveldbjni.internal.NativeDB.LIBRARY.load();
        return null;
      } catch (LinkageError | RuntimeException e) {
        return e;
      }
    }

    static synchronized void warnOnce() {
      if (!warned) {
        warned = true;
        LOG.warn("leveldbjni's native library does not load on {} ({}); LevelDB queues use the "
            + "pure-Java iq80 engine in this process (slower reads, no repair). Set "
            + "-Dlibrary.leveldbjni.path or a writable java.io.tmpdir if the native library "
            + "should load here", platform(), FAILURE.toString());
      }
    }
  }
}
