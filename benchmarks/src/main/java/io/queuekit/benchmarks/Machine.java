package io.queuekit.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the numbers were measured on: cores, CPU model, memory, OS and JDK, and the 1-minute load
 * average (above the core count means other work shared the machine, and absolute numbers are
 * low). Read from the JVM and, on Linux, {@code /proc} and {@code /etc/os-release}; where those
 * files do not exist their part is left out.
 *
 * @param cores available processors
 * @param cpu CPU model, if known
 * @param memoryBytes physical memory, or -1 if unknown
 * @param os OS name, version and architecture
 * @param jdk JVM name, version and vendor
 */
record Machine(int cores, Optional<String> cpu, long memoryBytes, String os, String jdk) {

  static Machine current() {
    long memory = -1;
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      memory = ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
    }
    String osText = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch")
        + osRelease().map(r -> " (" + r + ")").orElse("");
    String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + " (" + System.getProperty("java.vendor") + ")";
    return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), memory, osText, jdk);
  }

  /** The 1-minute load average now, or NaN where the OS does not report one. */
  static double loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? Double.NaN : l;
  }

  /** One line: {@code 2 cores (model), 23.4 GiB, Linux …; JDK}. */
  String summary() {
    return cores + (cores == 1 ? " core" : " cores") + cpu.map(c -> " (" + c + ")").orElse("")
        + (memoryBytes > 0 ? String.format(Locale.ROOT, ", %.1f GiB memory", memoryBytes / (double) (1L << 30)) : "")
        + ", " + os + "; " + jdk;
  }

  private static Optional<String> cpuModel() {
    return lines(Path.of("/proc/cpuinfo")).stream()
        .filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " "))
        .findFirst();
  }

  private static Optional<String> osRelease() {
    return lines(Path.of("/etc/os-release")).stream()
        .filter(l -> l.startsWith("PRETTY_NAME="))
        .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
        .findFirst();
  }

  /** The file's lines, or none if it is absent (not Linux): that part is then omitted. */
  private static List<String> lines(Path p) {
    if (!Files.isReadable(p)) {
      return List.of();
    }
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }
}
