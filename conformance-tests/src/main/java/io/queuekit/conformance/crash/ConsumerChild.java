package io.queuekit.conformance.crash;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
