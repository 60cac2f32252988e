package io.queuekit.benchmarks;

import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import io.queuekit.PushResult;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What waiting items cost: the heap a store holds with N items waiting (measured after a full GC,
 * so only what is live counts), and the store's push → claim → ack rate at 10^4, 10^5 and 10^6
 * waiting items, which should not depend on N. One side per JVM ({@link #main}), because a heap
 * reading is only clean in a JVM that ran nothing else.
 *
 * <p>The rate is measured by one thread churning at a constant depth: push 100 (one batched call),
 * then claim (take) up to 100, decode them and ack them, again and again for a window; so the
 * depth stays at N and each claim reads the oldest items, written when the store was filled.
 *
 * <p>Sides: {@code <TYPE>} is our {@code BaseQueue} of that backend ({@code channel}, {@code level},
 * {@code redis}); {@code abq}, {@code leveldbjni} and {@code lettuce} are the raw stores of the
 * baselines ({@link RawStore}).
 */
final class DepthBench {
  static final int CHURN_BATCH = 100;
  static final int WARMUP_WINDOWS = 6;
  private static final int FILL_BATCH = 1_000;
  private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(30);

  private DepthBench() {}

  /**
   * One side's measurements.
   *
   * @param heapEmptyBytes heap used after GC with the store open and empty
   * @param heapFullBytes heap used after GC with the last depth waiting
   * @param depths the depths measured, ascending
   * @param rates per depth, each window's items per second
   * @param fillPerSecond items per second while filling (batched pushes of 1,000)
   */
  record Result(double heapEmptyBytes, double heapFullBytes, List<Integer> depths,
      Map<String, List<Double>> rates, double fillPerSecond) {}

  /** The store under test: batched push, and take + settle of up to a batch. */
  interface Store extends AutoCloseable {
    void push(List<byte[]> items);

    /** Claims up to {@code max} (waiting up to a second for the first), decodes and acks them. */
    int churn(int max) throws Exception;

    @Override
    void close() throws IOException;
  }

  public static void main(String[] a) throws Exception {
    if (a.length != 4) {
      throw new IllegalArgumentException("usage: DepthBench side depths(comma-separated) "
          + "windowMillis windows");
    }
    List<Integer> depths = Arrays.stream(a[1].split(",")).map(Integer::valueOf).toList();
    Result r = measure(a[0], depths, Duration.ofMillis(Long.parseLong(a[2])),
        Integer.parseInt(a[3]));
    System.out.println(Forks.resultLine(r));
    System.out.flush();
    // Lettuce's and LevelDB's threads must not keep the fork alive.
    System.exit(0);
  }

  static Result measure(String side, List<Integer> depths, Duration window, int windows)
      throws Exception {
    Codec<Payload> codec = JacksonCodec.of(Payload.class);
    try (Store store = open(side, codec)) {
      // Discarded churn on an almost empty store first, so the first depth's windows do not pay
      // for class loading and compilation: six windows, because the Redis sides still sped up
      // after three on 2 busy cores.
      long id = churn(store, codec, 0, window.multipliedBy(WARMUP_WINDOWS));
      double heapEmpty = heapAfterGc();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      int waiting = 0;
      long fillNanos = 0;
      long filled = 0;
      for (int depth : depths) {
        long t0 = System.nanoTime();
        while (waiting < depth) {
          int n = Math.min(FILL_BATCH, depth - waiting);
          List<byte[]> batch = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            batch.add(codec.encode(Payload.sample(id++, 0)));
          }
          store.push(batch);
          waiting += n;
          filled += n;
        }
        fillNanos += System.nanoTime() - t0;
        List<Double> r = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
          long start = System.nanoTime();
          long before = id;
          id = churn(store, codec, id, window);
          r.add((id - before) / ((System.nanoTime() - start) / 1e9));
        }
        rates.put(Integer.toString(depth), r);
      }
      double heapFull = heapAfterGc();
      return new Result(heapEmpty, heapFull, depths, rates, filled / (fillNanos / 1e9));
    }
  }

  /**
   * Churns for {@code window}: push {@link #CHURN_BATCH} items in one call, then claim, decode and
   * ack as many, so the depth does not change. Returns the next free id.
   */
  private static long churn(Store store, Codec<Payload> codec, long id, Duration window)
      throws Exception {
    long end = System.nanoTime() + window.toNanos();
    while (System.nanoTime() < end) {
      List<byte[]> batch = new ArrayList<>(CHURN_BATCH);
      for (int i = 0; i < CHURN_BATCH; i++) {
        batch.add(codec.encode(Payload.sample(id++, 0)));
      }
      store.push(batch);
      int got = 0;
      while (got < CHURN_BATCH) {
        got += store.churn(CHURN_BATCH - got);
      }
    }
    return id;
  }

  /** Heap in use after full collections, once it stops shrinking. */
  static double heapAfterGc() throws InterruptedException {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (used >= last) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }

  private static Store open(String side, Codec<Payload> codec) throws IOException {
    switch (side) {
      case "channel":
      case "level":
      case "redis":
        return new Ours(side, codec);
      case "abq":
        return new Raw(new MemoryStore(), codec);
      case "leveldbjni":
        return new Raw(new LevelDbStore(false), codec);
      case "lettuce":
        return new Raw(new LettuceStore(Pipelines.redisUri(), "bench:depth"), codec);
      default:
        throw new IllegalArgumentException("no depth side \"" + side + "\"");
    }
  }

  /** Our side: the backend's BaseQueue, room for every depth measured. */
  private static final class Ours implements Store {
    private final Codec<Payload> codec;
    private final Path dataPath;
    private final ScheduledExecutorService scheduler;
    private final BaseQueue queue;

    Ours(String type, Codec<Payload> codec) throws IOException {
      this.codec = codec;
      this.dataPath = Files.createTempDirectory("queuekit-bench-depth-");
      this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-depth-scheduler");
        t.setDaemon(true);
        return t;
      });
      QueueSettings.Builder b = QueueSettings.builder().type(type).length(10_000_000);
      if (type.equals("level")) {
        b.connStr("leveldb://queues/common?engine=jni");
      } else if (type.equals("redis")) {
        b.connStr(Pipelines.redisUri());
      }
      this.queue = BaseQueues.load().create(type, new BaseQueueConfig("bench-depth", b.build(),
          false, Clock.systemUTC(), scheduler, dataPath));
    }

    @Override
    public void push(List<byte[]> items) {
      List<Item> batch = new ArrayList<>(items.size());
      for (byte[] b : items) {
        batch.add(Item.of(b));
      }
      for (PushResult r : queue.pushAll(batch, PUSH_TIMEOUT)) {
        if (r != PushResult.ADDED) {
          throw new IllegalStateException("pushAll returned " + r);
        }
      }
    }

    @Override
    public int churn(int max) throws Exception {
      List<Delivery> ds = queue.claim(max, Duration.ofSeconds(1));
      long sum = 0;
      for (Delivery d : ds) {
        sum += codec.decode(d.payload()).id();
      }
      for (Outcome o : queue.ack(ds)) {
        if (o != Outcome.DONE) {
          throw new IllegalStateException("ack returned " + o);
        }
      }
      return sum >= 0 ? ds.size() : -1; // the sum keeps the decode from being optimised away
    }

    @Override
    public void close() throws IOException {
      try {
        queue.close();
        scheduler.shutdownNow();
      } finally {
        QueuekitPipeline.deleteTree(dataPath);
      }
    }
  }

  /** A baseline: a raw store, taken items decoded (and gone: nothing to ack). */
  private static final class Raw implements Store {
    private final RawStore store;
    private final Codec<Payload> codec;

    Raw(RawStore store, Codec<Payload> codec) {
      this.store = store;
      this.codec = codec;
    }

    @Override
    public void push(List<byte[]> items) {
      store.put(items);
    }

    @Override
    public int churn(int max) throws Exception {
      List<byte[]> items = store.take(max, TimeUnit.SECONDS.toNanos(1));
      long sum = 0;
      for (byte[] b : items) {
        sum += codec.decode(b).id();
      }
      return sum >= 0 ? items.size() : -1;
    }

    @Override
    public void close() throws IOException {
      store.close();
    }
  }

  /** The in-memory baseline: encoded items in an {@link ArrayBlockingQueue}. */
  static final class MemoryStore implements RawStore {
    private final ArrayBlockingQueue<byte[]> items = new ArrayBlockingQueue<>(10_000_000);

    @Override
    public void put(List<byte[]> batch) {
      for (byte[] b : batch) {
        if (!items.offer(b)) {
          throw new IllegalStateException("in-memory baseline full");
        }
      }
    }

    @Override
    public List<byte[]> take(int max, long waitNanos) throws InterruptedException {
      List<byte[]> out = new ArrayList<>(max);
      byte[] first = items.poll(waitNanos, TimeUnit.NANOSECONDS);
      if (first != null) {
        out.add(first);
        items.drainTo(out, max - 1);
      }
      return out;
    }

    @Override
    public String describe() {
      return "in-memory: " + items.size() + " items";
    }

    @Override
    public void close() {
      items.clear();
    }
  }
}
