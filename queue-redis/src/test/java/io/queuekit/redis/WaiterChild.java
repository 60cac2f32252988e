package io.queuekit.redis;

import io.queuekit.QueueSettings;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A child JVM for {@link RedisWaitersAcrossProcessesTest}. Arguments: CONN_STR, queue name,
 * instances, CONSUMER_TIMEOUT ms, mode.
 * <ul>
 *   <li>{@code wait}: opens that many instances of the queue, each with a thread claiming one item
 *       at a time (30 s waits), printing {@code GOT <payload>} and acking; prints {@code READY}
 *       once every thread runs;
 *   <li>{@code hold}: one instance claims one item, prints {@code HOLDING <payload>} and keeps
 *       it, never settling, until killed.
 * </ul>
 * Runs until killed or its standard input closes.
 */
public final class WaiterChild {
  private WaiterChild() {}

  public static void main(String[] a) throws Exception {
    String connStr = a[0];
    String queue = a[1];
    int instances = Integer.parseInt(a[2]);
    QueueSettings s = QueueSettings.builder().type("redis").connStr(connStr)
        .consumerTimeout(Duration.ofMillis(Long.parseLong(a[3]))).build();
    try (Queues queues = new Queues(connStr)) {
      if (a[4].equals("hold")) {
        RedisQueue q = queues.open(queue, false, s, java.time.Clock.systemUTC());
        List<Delivery> d = q.claim(1, Duration.ofSeconds(30));
        System.out.println("HOLDING " + new String(d.get(0).payload(), StandardCharsets.UTF_8));
        System.out.flush();
      } else {
        for (int i = 0; i < instances; i++) {
          RedisQueue q = queues.open(queue, false, s, java.time.Clock.systemUTC());
          Thread t = new Thread(() -> {
            while (true) {
              for (Delivery d : q.claim(1, Duration.ofSeconds(30))) {
                synchronized (System.out) {
                  System.out.println("GOT " + new String(d.payload(), StandardCharsets.UTF_8));
                  System.out.flush();
                }
                q.ack(List.of(d));
              }
            }
          }, "waiter-" + i);
          t.setDaemon(true);
          t.start();
        }
        System.out.println("READY");
        System.out.flush();
      }
      while (System.in.read() != -1) {
        // the parent closes our stdin to stop us
      }
    }
  }
}
