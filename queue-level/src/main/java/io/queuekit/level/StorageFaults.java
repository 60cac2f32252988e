package io.queuekit.level;

import io.queuekit.internal.Causes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.iq80.leveldb.DBException;

/**
 * Tells the storage failures of LevelDB apart by what the engines report: a read or write of the
 * files failing, a full disk, a directory that may not be written. leveldbjni reports {@code
 * IOException} or {@link DBException} with the C++ status text ({@code "IO error: <file>: No space
 * left on device"}); iq80 throws {@link DBException}, {@link UncheckedIOException}, or raw
 * exceptions of its own packages ({@code org.iq80.snappy.CorruptionException} for a damaged
 * block).
 *
 * <p><b>Thread-safety:</b> stateless.
 */
final class StorageFaults {
  private StorageFaults() {}

  /** Whether {@code e} came from the storage (an engine, the files) rather than from our code. */
  static boolean isStorageFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String cls = t.getClass().getName();
      if (t instanceof DBException || t instanceof IOException || t instanceof UncheckedIOException
          || cls.startsWith("org.iq80.") || cls.startsWith("org.fusesource.")
          || (t instanceof InternalError && String.valueOf(t.getMessage()).contains("unsafe "
              + "memory access"))) {
        return true;
      }
      StackTraceElement[] at = t.getStackTrace();
      if (at.length > 0 && (at[0].getClassName().startsWith("org.iq80.")
          || at[0].getClassName().startsWith("org.fusesource."))) {
        return true; // thrown inside an engine (iq80 parsing a damaged block)
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Whether {@code e} says the disk (or the quota) is full. */
  static boolean isNoSpace(Throwable e) {
    return chainContains(e, "no space left on device") || chainContains(e, "disk quota exceeded");
  }

  /**
   * Why LevelDB may not write in {@code dir} (a read-only file system, permission denied), or
   * null when {@code openFailure} is something else.
   */
  static String unwritable(Path dir, Throwable openFailure) {
    if (chainContains(openFailure, "read-only file system")) {
      return "its file system is read-only";
    }
    if (chainContains(openFailure, "permission denied")
        || Causes.find(openFailure, AccessDeniedException.class) != null) {
      return "permission to write there is denied";
    }
    try {
      if (Files.getFileStore(dir).isReadOnly()) {
        return "its file system is mounted read-only";
      }
    } catch (IOException e) {
      // cannot tell: not reported as unwritable
    }
    if (!Files.isWritable(dir)) {
      return "this process may not write to it";
    }
    return null;
  }

  private static boolean chainContains(Throwable e, String lowerCaseText) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains(lowerCaseText)) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (String.valueOf(s.getMessage()).toLowerCase(Locale.ROOT).contains(lowerCaseText)) {
          return true;
        }
      }
    }
    return false;
  }
}
