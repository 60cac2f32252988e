package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of one latency fork: runs {@link LatencyHarness#inProcess} for one side and
 * prints the rounds on one line for the parent. Any failure exits non-zero with its stack trace,
 * which the parent reports.
 */
final class LatencyFork {
  private LatencyFork() {}

  static List<String> args(String side, PipelineConfig c, LatencyHarness.Settings s) {
    List<String> args = new ArrayList<>();
    args.add(side);
    args.addAll(c.toArgs());
    args.addAll(List.of(Long.toString(s.warmup().toMillis()),
        Integer.toString(s.roundsPerFork()), Long.toString(s.roundTime().toMillis()),
        Integer.toString(s.rate())));
    return args;
  }

  public static void main(String[] a) throws Exception {
    if (a.length != 11) {
      throw new IllegalArgumentException("usage: LatencyFork side producers workers batchLength "
          + "debounceMillis length pushBatch warmupMillis rounds roundMillis rate");
    }
    PipelineConfig config = PipelineConfig.fromArgs(a, 1);
    LatencyHarness.Settings s = new LatencyHarness.Settings(1,
        Duration.ofMillis(Long.parseLong(a[7])), Integer.parseInt(a[8]),
        Duration.ofMillis(Long.parseLong(a[9])), Integer.parseInt(a[10]), List.of());
    List<LatencyHarness.Round> rounds = LatencyHarness.inProcess(a[0], config, s);
    System.out.println(Forks.resultLine(rounds));
    System.out.flush();
  }
}
