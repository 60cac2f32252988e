package io.queuekit.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end throughput of several sides measured side by side: every side's pipeline is open at
 * once (one JVM each, or all in this JVM for the smoke test), and the sides take turns running one
 * timed window each ({@link #turn}), warm-up windows first. A window runs one untimed round, then
 * {@link Driver#round rounds} until its time is up; its score is the items handled over the
 * window's time.
 *
 * <p>Why not JMH: a JMH fork runs one side from start to end, so on a shared machine whose speed
 * drifts by a third within minutes (measured on the project's machine: one build moved from 216k
 * to 290k items/s between two runs) sides run one after another compare the machine's moods as
 * much as the pipelines. Taking turns window by window gives every side the same moods.
 *
 * <p>Each window reports the process's CPU time and the bytes its threads allocated (as JMH's
 * {@code gc.alloc.rate.norm} counts them: threads that end within a window are not counted), and
 * this class reads the Redis server's CPU time around it when the run has a server ({@link
 * ServerCpu}): only one side runs at a time, so the server's time is that side's, plus what the
 * idle sides ask of it meanwhile (measured: about 4 ms a second with three Redis sides idle,
 * against about 145 ms for a window of ours: some 3 % on whichever side runs).
 *
 * <p><b>Thread-safety:</b> one thread runs a comparison.
 */
final class SideBySide {
  /** A round that has not drained by then is a stuck pipeline (as {@link Driver}'s). */
  private static final Duration WINDOW_SLACK = Duration.ofSeconds(150);

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS =
      (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private SideBySide() {}

  /**
   * What one window measured.
   *
   * @param items items handled, each exactly once (checked by the driver)
   * @param nanos the window's wall time: from before its first round to after its last
   * @param cpuNanos the process's CPU time over the window
   * @param allocBytes bytes allocated by the process's threads over the window
   */
  record Window(long items, long nanos, long cpuNanos, long allocBytes) {
    /** The window's score: items handled per second of its time. */
    double itemsPerSecond() {
      return items / (nanos / 1e9);
    }
  }

  /** One side's pipeline, open for the whole comparison. */
  interface Side extends AutoCloseable {
    /** Runs rounds until {@code length} has passed (the last round finishes). */
    Window run(Duration length) throws Exception;
  }

  /**
   * Runs the comparison: {@code settings.forks()} 0 opens every side in this JVM, 1 starts one
   * JVM per side (all started together, then measured in turns).
   *
   * @return each side's results, as {@link JmhRunner#run} gives them
   */
  static Map<String, JmhRunner.SideResult> run(List<String> sides, PipelineConfig config,
      int round, JmhSettings settings, boolean quiet) throws Exception {
    Map<String, Side> open = new LinkedHashMap<>();
    Map<String, JmhRunner.SideResult> results;
    try {
      if (settings.forks() == 0) {
        for (String side : sides) {
          open.put(side, new InProcess(new Driver(side, config), round));
        }
      } else {
        // all started before any is awaited (their start-ups overlap); each is in open as soon
        // as it is started, so a failure later on still stops it
        for (String side : sides) {
          open.put(side, new Forked(Forks.start("side-by-side " + side, SideBySideFork.class,
              settings.jvmArgs(), SideBySideFork.args(side, config, round),
              settings.estimate(sides.size()).plus(WINDOW_SLACK))));
        }
        for (Side s : open.values()) {
          ((Forked) s).awaitReady();
        }
      }
      results = measure(open, settings, quiet);
    } catch (Exception | Error e) {
      try {
        closeAll(open.values());
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    closeAll(open.values());
    return results;
  }

  private static Map<String, JmhRunner.SideResult> measure(Map<String, Side> open,
      JmhSettings settings, boolean quiet) throws Exception {
    List<String> order = new ArrayList<>(open.keySet());
    for (int w = 0; w < settings.warmupIterations(); w++) {
      for (String side : turn(order, w)) {
        open.get(side).run(settings.warmupTime());
      }
      if (!quiet) {
        System.out.println("side by side: warm-up window " + (w + 1) + " of "
            + settings.warmupIterations() + " done on every side");
      }
    }
    String server = ServerCpu.uri();
    Map<String, List<Window>> windows = new LinkedHashMap<>();
    Map<String, Long> serverMicros = new LinkedHashMap<>();
    for (String side : order) {
      windows.put(side, new ArrayList<>());
      serverMicros.put(side, 0L);
    }
    for (int m = 0; m < settings.measurementIterations(); m++) {
      for (String side : turn(order, settings.warmupIterations() + m)) {
        long before = server == null ? 0 : ServerCpu.micros(server);
        Window w = open.get(side).run(settings.measurementTime());
        long after = server == null ? 0 : ServerCpu.micros(server);
        windows.get(side).add(w);
        serverMicros.merge(side, after - before, Long::sum);
        if (!quiet) {
          System.out.printf("side by side: %s window %d: %.0f items/s%n", side, m + 1,
              w.itemsPerSecond());
        }
      }
    }
    Map<String, JmhRunner.SideResult> out = new LinkedHashMap<>();
    for (String side : order) {
      out.put(side, result(windows.get(side), server == null ? -1 : serverMicros.get(side)));
    }
    return out;
  }

  /**
   * The order of turn {@code n}: with three sides or more, each turn starts one side later (A B
   * C, B C A, C A B, …), so no side runs two windows in a row (forward then backward gave the
   * first and last sides back-to-back windows, and a side just run is warmer than one idle for
   * the others' windows); with two, always A B.
   */
  static List<String> turn(List<String> order, int n) {
    if (order.size() < 3) {
      return order;
    }
    List<String> rotated = new ArrayList<>(order);
    java.util.Collections.rotate(rotated, -(n % order.size()));
    return rotated;
  }

  /** @param serverMicros the server's CPU time over the windows, or -1 without a server */
  private static JmhRunner.SideResult result(List<Window> windows, long serverMicros) {
    List<Double> perSecond = new ArrayList<>();
    double cpu = 0;
    double items = 0;
    double alloc = 0;
    double cpuMin = Double.MAX_VALUE;
    double cpuMax = 0;
    for (Window w : windows) {
      perSecond.add(w.itemsPerSecond());
      cpu += w.cpuNanos();
      items += w.items();
      alloc += w.allocBytes();
      cpuMin = Math.min(cpuMin, (double) w.cpuNanos() / w.items());
      cpuMax = Math.max(cpuMax, (double) w.cpuNanos() / w.items());
    }
    return new JmhRunner.SideResult(JmhRunner.Score.of(perSecond, "items/s"), cpu / items,
        cpuMin, cpuMax, alloc / items, serverMicros < 0 ? Double.NaN : serverMicros * 1e3 / items);
  }

  /** Closes every side, keeping the first failure and the others as suppressed. */
  private static void closeAll(Iterable<Side> sides) throws Exception {
    Exception first = null;
    for (Side s : sides) {
      try {
        s.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Runs rounds on {@code driver} for {@code length}, measuring this process. One round first,
   * untimed: the side has idled through the others' windows, and its first round after that
   * wakes its threads and connections, which every side would pay once per window.
   */
  static Window window(Driver driver, int round, Duration length) throws Exception {
    driver.round(round);
    long cpu = OS.getProcessCpuTime();
    Map<Long, Long> alloc = allocatedByThread();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long items = 0;
    do {
      driver.round(round);
      items += round;
    } while (System.nanoTime() < end);
    long nanos = System.nanoTime() - start;
    return new Window(items, nanos, OS.getProcessCpuTime() - cpu, allocatedSince(alloc));
  }

  /** Bytes allocated so far by each thread alive now, by thread id. */
  static Map<Long, Long> allocatedByThread() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    Map<Long, Long> out = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) { // -1: a thread that ended between the two calls
        out.put(ids[i], bytes[i]);
      }
    }
    return out;
  }

  /**
   * Bytes the threads alive now allocated since {@code before} ({@link #allocatedByThread}): a
   * thread started since counts from 0, and one that ended since is not counted (summing only
   * the threads alive at each end took a thread that ended within the window off it whole,
   * with everything it had allocated before).
   */
  static long allocatedSince(Map<Long, Long> before) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : allocatedByThread().entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  /** A side in this JVM (the smoke test): its windows count the whole JVM's CPU. */
  private record InProcess(Driver driver, int round) implements Side {
    @Override
    public Window run(Duration length) throws Exception {
      return window(driver, round, length);
    }

    @Override
    public void close() throws Exception {
      driver.close();
    }
  }

  /** A side in its own JVM ({@link SideBySideFork}), driven over its standard input. */
  private static final class Forked implements Side {
    private final Forks.Child child;

    Forked(Forks.Child child) {
      this.child = child;
    }

    void awaitReady() {
      line(SideBySideFork.READY, WINDOW_SLACK);
    }

    @Override
    public Window run(Duration length) throws Exception {
      child.jvm.send(SideBySideFork.RUN + length.toMillis());
      String line = line(SideBySideFork.WINDOW, length.plus(WINDOW_SLACK));
      return SideBySideFork.JSON.readValue(line.substring(SideBySideFork.WINDOW.length()),
          Window.class);
    }

    /** The child's next line starting with {@code prefix}; a child that fails names itself. */
    private String line(String prefix, Duration timeout) {
      try {
        return child.jvm.awaitLine(prefix, timeout);
      } catch (AssertionError e) {
        throw new IllegalStateException("fork " + child.name + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws Exception {
      try {
        if (child.process.isAlive()) {
          child.jvm.send(SideBySideFork.STOP);
        }
      } finally {
        // also when the child died between the look and the write: it is awaited and cleaned up
        Forks.await(child, Forks.type(String.class));
      }
    }
  }
}
