package io.queuekit.conformance.crash;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Item;
import io.queuekit.spi.StoreStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A consumer process for the multi-process test: a {@link QueueManager} with one unique queue
 * whose handler appends every item it sees to a file (one line each, written before the handler
 * returns, so an item is recorded at least once before it can be acked). Runs until its standard
 * input closes, or until it is killed.
 *
 * <p>Arguments: TYPE, CONN_STR, queue name, output file. Prints {@code READY} once the queue is
 * open. {@code CONSUMER_TIMEOUT} 3 s, {@code BATCH_LENGTH} 20, {@code MAX_WORKERS} 2.
 */
public final class ConsumerChild {
  private ConsumerChild() {}

  public static void main(String[] args) throws IOException {
    String type = args[0];
    String connStr = args[1];
    String queue = args[2];
    Path out = Path.of(args[3]);
    QueueSettings s = QueueSettings.builder().type(type).connStr(connStr)
        .consumerTimeout(Duration.ofSeconds(3)).batchLength(20).maxWorkers(2).build();
    Path data = Files.createTempDirectory("child-data");
    try (OutputStream file = Files.newOutputStream(out, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
        QueueManager m = QueueManager.builder().dataPath(data).config(QueueConfig.of(s))
            .claimWait(Duration.ofMillis(500)).build()) {
      m.createUnique(queue, Integer.class, batch -> {
        StringBuilder sb = new StringBuilder();
        for (int i : batch) {
          sb.append(i).append('\n');
        }
        synchronized (file) {
          file.write(sb.toString().getBytes(StandardCharsets.UTF_8));
          file.flush();
        }
        return List.of();
      });
      System.out.println("READY");
      System.out.flush();
      InputStream in = System.in;
      while (in.read() != -1) {
        // the parent closes our stdin to stop us
      }
    }
  }

  /**
   * The multi-process run both shared stores go through: pushes items {@code 0 … items-1} into
   * {@code producer} in batches of 1,000; once a quarter is pushed and the first child has
   * written 500 lines, kills that child with SIGKILL (no chance to settle or unregister); then
   * waits up to {@code drain} until the children wrote every item, and until the store holds
   * nothing waiting or in flight. Returns item to times handled.
   */
  public static Map<Integer, Integer> pushKillingTheFirst(BaseQueue producer,
      List<ChildJvm> children, List<Path> outputs, int items, Duration drain) throws IOException {
    boolean killed = false;
    for (int from = 0; from < items; from += 1000) {
      List<Item> batch = new ArrayList<>();
      for (int i = from; i < Math.min(items, from + 1000); i++) {
        batch.add(Item.of(Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.pushAll(batch, Duration.ofSeconds(30));
      if (!killed && from >= items / 4) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> lines(outputs.get(0)) > 500);
        children.get(0).kill();
        killed = true;
      }
    }
    Awaitility.await().atMost(drain).pollInterval(Duration.ofMillis(200))
        .until(() -> handled(outputs).size() == items);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
      StoreStats s = producer.stats();
      return s.waiting() == 0 && s.inFlight() == 0;
    });
    return handled(outputs);
  }

  /** Lines the child has written to {@code out} so far (0 before it starts writing). */
  public static long lines(Path out) throws IOException {
    if (!Files.exists(out)) {
      return 0;
    }
    try (var s = Files.lines(out)) {
      return s.count();
    }
  }

  /**
   * Item to times handled, over the children's {@code outputs}, from complete lines only (a
   * killed child may leave half a line).
   */
  public static Map<Integer, Integer> handled(List<Path> outputs) throws IOException {
    Map<Integer, Integer> seen = new HashMap<>();
    for (Path p : outputs) {
      if (!Files.exists(p)) {
        continue;
      }
      byte[] all = Files.readAllBytes(p);
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == '\n') {
          seen.merge(Integer.parseInt(new String(all, start, i - start, StandardCharsets.UTF_8)),
              1, Integer::sum);
          start = i + 1;
        }
      }
    }
    return seen;
  }
}
