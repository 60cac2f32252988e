package io.queuekit.conformance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Standard error captured for the length of a test step, to read back what the code under test
 * logged: slf4j-simple, the tests' logger, writes each line to whatever {@code System.err} is at
 * that moment. Start it in a try-with-resources block; {@link #close} puts the original stream
 * back.
 *
 * <p><b>Thread-safety:</b> lines written by any thread are kept; {@link #text} may be read while
 * they are written (an Awaitility condition, say). {@code System.err} is one per JVM, so tests
 * that capture it must not run in parallel with each other.
 */
public final class CapturedErr implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private CapturedErr() {
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
  }

  /** Captures standard error from now until {@link #close}. */
  public static CapturedErr start() {
    return new CapturedErr();
  }

  /** What {@code step} wrote to standard error. */
  public static String during(Runnable step) {
    try (CapturedErr err = start()) {
      step.run();
      return err.text();
    }
  }

  /** Everything written so far. */
  public String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** How many times {@code part} occurs in what was written so far. */
  public int count(String part) {
    return text().split(Pattern.quote(part), -1).length - 1;
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
