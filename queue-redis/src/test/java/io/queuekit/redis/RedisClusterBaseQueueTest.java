package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.conformance.BaseQueueConformanceTest;
import io.queuekit.conformance.TestBackend;
import io.queuekit.conformance.redis.RedisCluster;
import io.queuekit.conformance.redis.Resp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** The base-queue suite on the JVM's shared 3-master Redis Cluster. */
class RedisClusterBaseQueueTest extends BaseQueueConformanceTest {
  @Override
  protected TestBackend backend() {
    return new RedisTestBackend(RedisCluster.shared().connStr());
  }

  /** Each queue lives on one shard (no CROSSSLOT), and the suite's queues spread over shards. */
  @AfterAll
  static void queuesSpreadOverTheMasters() {
    int mastersWithQueues = 0;
    for (int port : RedisCluster.shared().ports()) {
      try (Resp r = Resp.connect(port)) {
        @SuppressWarnings("unchecked")
        List<Object> keys = (List<Object>) r.call("KEYS", "{ct_*");
        if (!keys.isEmpty()) {
          mastersWithQueues++;
        }
      }
    }
    assertThat(mastersWithQueues).isGreaterThan(1);
  }
}
