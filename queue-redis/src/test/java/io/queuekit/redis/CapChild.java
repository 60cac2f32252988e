package io.queuekit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * A child JVM for {@link GlobalCapAcrossProcessesTest}: a {@link QueueManager} with one simple
 * queue, {@code MAX_WORKERS} 3, {@code GLOBAL_MAX_WORKERS} 2, {@code BATCH_LENGTH} 5. Its handler
 * counts itself in and out of Redis key {@code PREFIX:in} and keeps the largest count seen in
 * {@code PREFIX:max} (one script, so the count and the maximum move together, whichever process
 * runs it), holds the batch 20 ms (the work a capped downstream call would do), and adds each
 * item to the set {@code PREFIX:handled}. Arguments: CONN_STR, queue name, PREFIX. Prints
 * {@code READY} once the queue is open; runs until its standard input closes or it is killed.
 */
public final class CapChild {
  /** INCR the in-handler count; raise the maximum to it. */
  static final String ENTER = "local n = redis.call('INCR', KEYS[1]) "
      + "if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end "
      + "return n";

  private CapChild() {}

  public static void main(String[] a) throws Exception {
    String connStr = a[0];
    String queue = a[1];
    String prefix = a[2];
    QueueSettings s = QueueSettings.builder().type("redis").connStr(connStr)
        .consumerTimeout(Duration.ofSeconds(3)).batchLength(5).batchDebounce(Duration.ofMillis(10))
        .maxWorkers(3).globalMaxWorkers(2).build();
    RedisClient client = RedisClient.create(connStr);
    try (StatefulRedisConnection<String, String> conn = client.connect();
        QueueManager m = QueueManager.builder().dataPath(Files.createTempDirectory("cap-child"))
            .config(QueueConfig.of(s)).claimWait(Duration.ofMillis(500)).build()) {
      RedisCommands<String, String> redis = conn.sync();
      m.createSimple(queue, Integer.class, batch -> {
        redis.eval(ENTER, ScriptOutputType.INTEGER, prefix + ":in", prefix + ":max");
        try {
          Thread.sleep(20);
          for (int i : batch) {
            redis.sadd(prefix + ":handled", Integer.toString(i));
          }
        } finally {
          redis.decr(prefix + ":in");
        }
        return List.of();
      });
      System.out.println("READY");
      System.out.flush();
      while (System.in.read() != -1) {
        // the parent closes our stdin to stop us
      }
    } finally {
      client.shutdown();
    }
  }
}
