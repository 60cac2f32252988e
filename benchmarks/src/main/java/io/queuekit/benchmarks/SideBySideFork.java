package io.queuekit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of one side's JVM in a {@link SideBySide} comparison: opens the side's pipeline,
 * prints {@link #READY}, then runs one window per {@code RUN <millis>} line on its standard input
 * and answers each with a {@link #WINDOW} line; {@link #STOP} closes the pipeline and exits. Any
 * failure exits non-zero with its stack trace, which the parent reports.
 */
final class SideBySideFork {
  static final String READY = "SIDE-READY";
  static final String RUN = "RUN ";
  static final String WINDOW = "SIDE-WINDOW ";
  static final String STOP = "STOP";
  static final ObjectMapper JSON = new ObjectMapper();

  private SideBySideFork() {}

  static List<String> args(String side, PipelineConfig c, int round) {
    List<String> args = new ArrayList<>();
    args.add(side);
    args.addAll(c.toArgs());
    args.add(Integer.toString(round));
    return args;
  }

  public static void main(String[] a) throws Exception {
    if (a.length != 8) {
      throw new IllegalArgumentException("usage: SideBySideFork side producers workers "
          + "batchLength debounceMillis length pushBatch round");
    }
    PipelineConfig config = PipelineConfig.fromArgs(a, 1);
    int round = Integer.parseInt(a[1 + PipelineConfig.ARGS]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    try (Driver driver = new Driver(a[0], config)) {
      System.out.println(READY);
      System.out.flush();
      String line;
      while ((line = in.readLine()) != null && !line.equals(STOP)) {
        if (!line.startsWith(RUN)) {
          throw new IllegalArgumentException("unknown command from the parent: " + line);
        }
        Duration length = Duration.ofMillis(Long.parseLong(line.substring(RUN.length())));
        SideBySide.Window w = SideBySide.window(driver, round, length);
        System.out.println(WINDOW + JSON.writeValueAsString(w));
        System.out.flush();
      }
    }
    System.out.println(Forks.resultLine("closed"));
    System.out.flush();
  }
}
