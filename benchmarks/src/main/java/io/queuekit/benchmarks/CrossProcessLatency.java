package io.queuekit.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import io.queuekit.QueueSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency across processes, Redis only: a producer JVM pushes at a fixed rate and a consumer JVM
 * handles, as a web process and a worker process sharing a queue would. Push call percentiles come
 * from the producer, push → handler from the consumer, which subtracts the producer's {@link
 * System#nanoTime()} carried in the payload from its own: on Linux both are {@code
 * CLOCK_MONOTONIC}, one clock for every process on the machine (checked: a negative latency fails
 * the run).
 *
 * <p>Sides: {@code queuekit-redis} (the producer's {@code WorkerPoolQueue} paused, so it only
 * pushes; the consumer's claims and handles) and {@code batcher-lettuce} (the producer's {@link
 * LettuceStore} puts; the consumer is a {@link BatcherPipeline} over the same list). The consumer
 * starts first and raises a flag in Redis when it is ready; the producer waits for it.
 */
final class CrossProcessLatency {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CrossProcessLatency() {}

  /** Push-call percentiles (producer) of one round. */
  record PushRound(double p50, double p99, double achievedRate) {}

  /** Push → handler percentiles (consumer) of one round. */
  record HandlerRound(double p50, double p99) {}

  /** Runs every side's forks, interleaved; returns each side's timed rounds. */
  static Map<String, List<LatencyHarness.Round>> run(List<String> sides, PipelineConfig config,
      LatencyHarness.Settings s) throws Exception {
    return run(sides, config, s, false);
  }

  /**
   * @param sidesAtOnce start every side's pair of JVMs together (the smoke test, where the
   *     numbers only need to exist and four JVM starts one after another cost too long); the
   *     full run never does, since the sides would then load each other
   */
  static Map<String, List<LatencyHarness.Round>> run(List<String> sides, PipelineConfig config,
      LatencyHarness.Settings s, boolean sidesAtOnce) throws Exception {
    Map<String, List<LatencyHarness.Round>> out = new LinkedHashMap<>();
    sides.forEach(side -> out.put(side, new ArrayList<>()));
    Duration limit = s.estimate(1).plusSeconds(120);
    for (int fork = 0; fork < Math.max(1, s.forks()); fork++) {
      // Every child not yet collected: when one fails, the others are stopped rather than left
      // loading the machine (and the server) through the rest of the benchmark run.
      List<Forks.Child> live = new ArrayList<>();
      try {
        fork(out, sides, config, s, sidesAtOnce, limit, live);
      } finally {
        Forks.stop(live);
      }
    }
    return out;
  }

  /** One fork of every side; adds what it starts to {@code live}, removes what it collects. */
  private static void fork(Map<String, List<LatencyHarness.Round>> out, List<String> sides,
      PipelineConfig config, LatencyHarness.Settings s, boolean sidesAtOnce, Duration limit,
      List<Forks.Child> live) throws Exception {
    Map<String, Forks.Child[]> started = new LinkedHashMap<>();
    for (String side : sides) {
      String name = "bench-cross-" + UUID.randomUUID();
      List<String> common = new ArrayList<>(List.of(side, name));
      common.addAll(config.toArgs());
      common.addAll(List.of(Integer.toString(s.primerItems()), Integer.toString(s.primerRate()),
          Integer.toString(s.warmupItems()), Integer.toString(s.roundsPerFork()),
          Integer.toString(s.roundItems()), Integer.toString(s.rate())));
      Forks.Child consumer = Forks.start("consumer-" + side, Consumer.class, s.jvmArgs(), common,
          limit);
      live.add(consumer);
      Forks.Child producer = Forks.start("producer-" + side, Producer.class, s.jvmArgs(), common,
          limit);
      live.add(producer);
      started.put(side, new Forks.Child[] {consumer, producer});
      if (!sidesAtOnce) {
        collect(out, side, consumer, producer);
        live.removeAll(List.of(consumer, producer));
        started.remove(side);
      }
    }
    for (Map.Entry<String, Forks.Child[]> e : started.entrySet()) {
      collect(out, e.getKey(), e.getValue()[0], e.getValue()[1]);
      live.removeAll(List.of(e.getValue()));
    }
  }

  private static void collect(Map<String, List<LatencyHarness.Round>> out, String side,
      Forks.Child consumer, Forks.Child producer) throws Exception {
    List<PushRound> pushes = Forks.await(producer,
        JSON.getTypeFactory().constructType(new TypeReference<List<PushRound>>() {}));
    List<HandlerRound> handled = Forks.await(consumer,
        JSON.getTypeFactory().constructType(new TypeReference<List<HandlerRound>>() {}));
    for (int i = 0; i < pushes.size(); i++) {
      out.get(side).add(new LatencyHarness.Round(pushes.get(i).p50(), pushes.get(i).p99(),
          handled.get(i).p50(), handled.get(i).p99(), pushes.get(i).achievedRate()));
    }
  }

  private record Args(String side, String name, PipelineConfig config, int primer,
      int primerRate, int warmup, int rounds, int roundItems, int rate) {
    static Args parse(String[] a) {
      if (a.length != 14) {
        throw new IllegalArgumentException("usage: side name producers workers batchLength "
            + "debounceMillis length pushBatch primerItems primerRate warmupItems rounds "
            + "roundItems rate");
      }
      // one item a push, whatever the config says: a push's latency is one item's
      return new Args(a[0], a[1], PipelineConfig.fromArgs(a, 2).withPushBatch(1),
          Integer.parseInt(a[8]), Integer.parseInt(a[9]), Integer.parseInt(a[10]),
          Integer.parseInt(a[11]), Integer.parseInt(a[12]), Integer.parseInt(a[13]));
    }

    /** Items before the first timed round: the primer's and the warm-up round's. */
    int untimed() {
      return primer + warmup;
    }

    int total() {
      return untimed() + rounds * roundItems;
    }

    String readyKey() {
      return "bench:ready:" + name;
    }
  }

  /** The consumer JVM: handles every item, then prints each timed round's percentiles. */
  static final class Consumer {
    public static void main(String[] argv) throws Exception {
      Args a = Args.parse(argv);
      Sink sink = new Sink();
      Sink.Round round = sink.expect(0, a.total(), true);
      Pipeline p = a.side().equals(Pipelines.queuekit("redis"))
          ? new QueuekitPipeline(QueueSettings.builder().type("redis")
              .connStr(Pipelines.redisUri()).build(), a.config(), sink, a.name(), null)
          : new BatcherPipeline("consumer", new LettuceStore(Pipelines.redisUri(), a.name(),
              false), a.config(), sink);
      List<HandlerRound> rounds = new ArrayList<>();
      try (p) {
        flag(a.readyKey());
        round.await(120, TimeUnit.SECONDS, p);
        for (int r = 0; r < a.rounds(); r++) {
          int from = a.untimed() + r * a.roundItems();
          long[] v = Arrays.copyOfRange(round.latencies, from, from + a.roundItems());
          Arrays.sort(v);
          if (v[0] < 0) {
            throw new IllegalStateException("negative push → handler latency " + v[0]
                + " ns: the two JVMs' nanoTime clocks differ, so this measurement is void");
          }
          rounds.add(new HandlerRound(LatencyHarness.percentile(v, 0.50) / 1e3,
              LatencyHarness.percentile(v, 0.99) / 1e3));
        }
      }
      System.out.println(Forks.resultLine(rounds));
      System.out.flush();
      System.exit(0);
    }
  }

  /** The producer JVM: waits for the consumer, pushes each round at the rate, times each push. */
  static final class Producer {
    public static void main(String[] argv) throws Exception {
      Args a = Args.parse(argv);
      awaitFlag(a.readyKey());
      Codec<Payload> codec = JacksonCodec.of(Payload.class);
      QueuekitPipeline ours = null;
      LettuceStore theirs = null;
      if (a.side().equals(Pipelines.queuekit("redis"))) {
        // Claims nothing: paused before any push, with a short claim wait so the claim that
        // started at creation has returned (empty) before the first push.
        ours = new QueuekitPipeline(QueueSettings.builder().type("redis")
            .connStr(Pipelines.redisUri()).build(), a.config(), new Sink(), a.name(),
            Duration.ofMillis(100));
        ours.pauseClaiming();
        Thread.sleep(300);
      } else {
        theirs = new LettuceStore(Pipelines.redisUri(), a.name(), false);
      }
      QueuekitPipeline o = ours;
      LettuceStore t = theirs;
      List<PushRound> rounds = new ArrayList<>();
      ExecutorService threads = Executors.newFixedThreadPool(a.config().producers());
      try {
        long id = 0;
        if (a.primer() > 0) {
          paced(threads, a.config().producers(), a.primerRate(), id, a.primer(), o, t, codec);
          id += a.primer();
        }
        paced(threads, a.config().producers(), a.rate(), id, a.warmup(), o, t, codec);
        id += a.warmup();
        for (int r = 0; r < a.rounds(); r++) {
          rounds.add(paced(threads, a.config().producers(), a.rate(), id, a.roundItems(), o, t,
              codec));
          id += a.roundItems();
        }
      } finally {
        threads.shutdownNow();
        if (o != null) {
          o.close();
        }
        if (t != null) {
          t.close();
        }
      }
      System.out.println(Forks.resultLine(rounds));
      System.out.flush();
      System.exit(0);
    }

    private static PushRound paced(ExecutorService threads, int producers, int rate, long first,
        int count, QueuekitPipeline ours, LettuceStore theirs, Codec<Payload> codec)
        throws Exception {
      long[] push = new long[count];
      long[] lastEnd = new long[producers];
      double interval = 1e9 / rate;
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
      List<Future<?>> fs = new ArrayList<>();
      for (int k = 0; k < producers; k++) {
        int offset = k;
        fs.add(threads.submit(() -> {
          long end = 0;
          for (int i = offset; i < count; i += producers) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
              LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            Payload p = Payload.sample(first + i, t0);
            if (ours != null) {
              ours.push(p);
            } else {
              theirs.put(List.of(codec.encode(p)));
            }
            end = System.nanoTime();
            push[i] = end - t0;
          }
          lastEnd[offset] = end;
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
      long end = Arrays.stream(lastEnd).max().orElseThrow();
      Arrays.sort(push);
      return new PushRound(LatencyHarness.percentile(push, 0.50) / 1e3,
          LatencyHarness.percentile(push, 0.99) / 1e3, count / ((end - start) / 1e9));
    }
  }

  private static void flag(String key) {
    RedisClient c = RedisClient.create(Pipelines.redisUri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      conn.sync().set(key, "1");
    } finally {
      c.shutdown();
    }
  }

  private static void awaitFlag(String key) throws InterruptedException {
    RedisClient c = RedisClient.create(Pipelines.redisUri());
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (conn.sync().get(key) == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the consumer JVM was not ready within 60 s");
        }
        Thread.sleep(10);
      }
    } finally {
      c.shutdown();
    }
  }
}
