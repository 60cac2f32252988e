package io.queuekit.benchmarks;

import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueues;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

/**
 * Opens a {@link Pipeline} by name, the name JMH's {@code @Param} and the latency forks carry.
 *
 * <ul>
 *   <li>{@code queuekit-<TYPE>}: a {@code WorkerPoolQueue} of that backend ({@link
 *       QueuekitPipeline});
 *   <li>{@code metered-queuekit-<TYPE>}: the same with {@code QueuekitMetrics} bound to a
 *       {@code SimpleMeterRegistry} (the metrics-overhead comparison);
 *   <li>{@code basequeue-level[-sync]}: the LevelDB {@code BaseQueue} driven directly ({@link
 *       BaseQueuePipeline}), {@code SYNC=false} or {@code true};
 *   <li>{@code loop-<store>}: a raw store driven by consumer threads ({@link StoreLoopPipeline});
 *   <li>{@code batcher-<store>}: a raw store behind a batcher thread and a thread pool ({@link
 *       BatcherPipeline});
 *   <li>{@link #ABQ_TPE}: the in-memory hand-written pipeline ({@link BlockingPoolPipeline}).
 * </ul>
 *
 * <p>Stores: {@code leveldbjni} (raw leveldbjni, sync=false), {@code tape} (Square's QueueFile),
 * {@code lettuce} (a Redis list, pipelined), {@code redisson-item} and {@code redisson-batch} (an
 * {@code RBlockingQueue}, per item or batched). The Redis ones use the server named by the system
 * property {@value #REDIS_PROPERTY}, which the Redis scenario sets (and passes to its forks).
 */
final class Pipelines {
  static final String QUEUEKIT = "queuekit-";
  static final String METERED = "metered-";
  static final String ABQ_TPE = "abq-tpe";
  static final String BASEQUEUE_LEVEL = "basequeue-level";
  static final String BASEQUEUE_LEVEL_SYNC = "basequeue-level-sync";
  static final String LOOP_LEVELDBJNI = "loop-leveldbjni";
  static final String LOOP_TAPE = "loop-tape";
  static final String BATCHER_LEVELDBJNI = "batcher-leveldbjni";
  static final String BASEQUEUE_REDIS = "basequeue-redis";
  static final String BATCHER_LETTUCE = "batcher-lettuce";
  static final String BATCHER_REDISSON_ITEM = "batcher-redisson-item";
  static final String BATCHER_REDISSON_BATCH = "batcher-redisson-batch";
  /** The system property holding the Redis server's URI, {@code redis://127.0.0.1:PORT/0}. */
  static final String REDIS_PROPERTY = "queuekit.bench.redis";

  private Pipelines() {}

  /** The pipeline for {@code type} on our side. */
  static String queuekit(String type) {
    return QUEUEKIT + type;
  }

  static Pipeline open(String name, PipelineConfig config, Sink sink) throws IOException {
    if (name.startsWith(QUEUEKIT)) {
      return new QueuekitPipeline(settings(name.substring(QUEUEKIT.length())), config, sink);
    }
    if (name.startsWith(METERED + QUEUEKIT)) {
      return QueuekitPipeline.metered(settings(name.substring((METERED + QUEUEKIT).length())),
          config, sink);
    }
    switch (name) {
      case ABQ_TPE:
        return new BlockingPoolPipeline(config, sink);
      case BASEQUEUE_LEVEL:
        return new BaseQueuePipeline(settings("level"), config, sink);
      case BASEQUEUE_LEVEL_SYNC:
        return new BaseQueuePipeline(settings("level").toBuilder().sync(true).build(), config,
            sink);
      case LOOP_LEVELDBJNI:
        return new StoreLoopPipeline(name, new LevelDbStore(false), config, sink);
      case LOOP_TAPE:
        return new StoreLoopPipeline(name, new TapeStore(), config, sink);
      case BATCHER_LEVELDBJNI:
        return new BatcherPipeline(name, new LevelDbStore(false), config, sink);
      case BASEQUEUE_REDIS:
        return new BaseQueuePipeline(settings("redis"), config, sink);
      case BATCHER_LETTUCE:
        return new BatcherPipeline(name, new LettuceStore(redisUri(), "bench:lettuce:"
            + UUID.randomUUID()), config, sink);
      case BATCHER_REDISSON_ITEM:
        return new BatcherPipeline(name, new RedissonStore(redissonAddress(),
            "bench:redisson-item:" + UUID.randomUUID(), false), config, sink);
      case BATCHER_REDISSON_BATCH:
        return new BatcherPipeline(name, new RedissonStore(redissonAddress(),
            "bench:redisson-batch:" + UUID.randomUUID(), true), config, sink);
      default:
        throw new IllegalArgumentException("no pipeline named \"" + name + "\"");
    }
  }

  /**
   * The settings of our side on {@code type}: LevelDB with the native engine (the default where it
   * loads; named so a missing native library fails instead of silently measuring iq80).
   */
  private static QueueSettings settings(String type) {
    QueueSettings.Builder b = QueueSettings.builder().type(type);
    if (type.equals("level")) {
      b.connStr("leveldb://queues/common?engine=jni");
    } else if (type.equals("redis")) {
      b.connStr(redisUri());
    }
    return b.build();
  }

  /** The Redis server of this run (see {@link #REDIS_PROPERTY}). */
  static String redisUri() {
    String uri = System.getProperty(REDIS_PROPERTY);
    if (uri == null || uri.isBlank()) {
      throw new IllegalStateException("no Redis server: the system property " + REDIS_PROPERTY
          + " is not set (the Redis scenario starts a server and sets it)");
    }
    return uri;
  }

  /** Redisson wants the address without the database. */
  private static String redissonAddress() {
    return redisUri().replaceFirst("/0$", "");
  }

  /**
   * Why a Redis scenario cannot run here: its pipeline's backend jar is absent, or no
   * redis-server is installed; empty when it can.
   */
  static Optional<String> redisUnavailable(String name) {
    Optional<String> jar = unavailable(name);
    return jar.isPresent() ? jar : io.queuekit.conformance.redis.RedisServer.unavailable();
  }

  /** Why {@code name} cannot run on this class path, if it cannot (its backend jar is absent). */
  static Optional<String> unavailable(String name) {
    String type = name.startsWith(QUEUEKIT) ? name.substring(QUEUEKIT.length())
        : name.startsWith(METERED + QUEUEKIT) ? name.substring((METERED + QUEUEKIT).length())
        : name.startsWith("basequeue-level") ? "level"
        : name.equals(BASEQUEUE_REDIS) ? "redis" : null;
    if (type != null && !BaseQueues.load().types().contains(type)) {
      return Optional.of("no backend for TYPE=" + type + " on the class path (the queue-"
          + type + " jar is absent)");
    }
    return Optional.empty();
  }
}
