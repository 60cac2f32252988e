package io.queuekit.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * End-to-end throughput of one {@link Pipeline}: each invocation pushes {@code round} items from
 * {@code producers} threads and returns once the handler has seen all of them (each exactly once,
 * checked), so the score counts only items that went all the way through. JMH reports invocations
 * per second; {@link JmhRunner} multiplies by {@code round} to give items per second. (The round
 * is a parameter, not {@code @OperationsPerInvocation}, because sides a hundred times apart need
 * different rounds: a slow side's round must still fit many times in one iteration.)
 *
 * <p>Forks, iterations and times are not annotated here: the scenario that runs this benchmark
 * states them (see {@code JmhSettings}). Public because JMH's generated code extends it.
 *
 * <p><b>Thread-safety:</b> JMH drives it from one thread ({@code @Threads(1)}); that thread only
 * coordinates, the pipeline's producer and worker threads do the work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class EndToEndBench {
  /**
   * The channel scenario's items per invocation: a multiple of producers × batch length (so no
   * round ends on a partial batch waiting for its debounce), large enough that the ramp at each end
   * of a round is small.
   */
  public static final int ROUND = 20_000;

  /** Items per invocation (see {@link #ROUND}). */
  @Param({"20000"})
  public int round;

  /** Items per push call: 1 is {@code push}, more is {@code pushAll}. */
  @Param({"1"})
  public int pushBatch;

  /** A {@link Pipelines} name: {@code queuekit-<TYPE>} or a baseline. */
  @Param({"queuekit-channel"})
  public String pipeline;

  @Param({"2"})
  public int producers;

  @Param({"2"})
  public int workers;

  @Param({"20"})
  public int batchLength;

  private Driver driver;

  @Setup(Level.Trial)
  public void open() throws Exception {
    if (round % (producers * batchLength) != 0 || round % (producers * pushBatch) != 0) {
      throw new IllegalArgumentException("round=" + round + " is not a multiple of producers ("
          + producers + ") × batchLength (" + batchLength + ") and of producers × pushBatch ("
          + pushBatch + ")");
    }
    driver = new Driver(pipeline, PipelineConfig.of(producers, workers, batchLength)
        .withPushBatch(pushBatch));
  }

  @Benchmark
  public long endToEnd(Cost cost) throws Exception {
    long seen = driver.round(round);
    cost.items += round;
    return seen;
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    driver.close();
  }

  /**
   * The process's CPU time and the items handled in each iteration, reported by JMH as secondary
   * results ({@code cpuNanos}, {@code items}). CPU time per item is what the generator tables next
   * to items/s: on a shared machine, other load slows a side's items/s far more than it changes
   * the CPU each item costs. It covers every thread of the fork (producers, store, workers, GC,
   * and JMH's own, which is idle while an invocation waits), the same for both sides.
   *
   * <p>Public fields because JMH's {@code @AuxCounters} reads them. Used by one thread.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cost {
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Process CPU time during the iteration, in nanoseconds. */
    public long cpuNanos;
    /** Items handled during the iteration. */
    public long items;
    /**
     * The Redis server's CPU time during the iteration, in microseconds, where the run has a
     * server ({@link ServerCpu}); 0 otherwise.
     */
    public long serverCpuMicros;
    private long cpuAtStart;
    private long serverAtStart;

    @Setup(Level.Iteration)
    public void start() {
      items = 0;
      cpuNanos = 0;
      serverCpuMicros = 0;
      cpuAtStart = OS.getProcessCpuTime();
      String uri = ServerCpu.uri();
      serverAtStart = uri == null ? 0 : ServerCpu.micros(uri);
    }

    @TearDown(Level.Iteration)
    public void stop() {
      cpuNanos = OS.getProcessCpuTime() - cpuAtStart;
      String uri = ServerCpu.uri();
      serverCpuMicros = uri == null ? 0 : ServerCpu.micros(uri) - serverAtStart;
    }
  }
}
