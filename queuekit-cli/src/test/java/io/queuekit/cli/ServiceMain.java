package io.queuekit.cli;

import io.queuekit.PermanentFailure;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A service in its own JVM, for the CLI tests: queue {@code index} from {@code app.ini} under
 * {@code data}; items starting with {@code bad-} are dead-lettered while the file {@code refuse}
 * exists in {@code data}. It dead-letters two, pauses, leaves three waiting, prints {@code
 * READY}, then handles what comes (a replay) and prints {@code HANDLED <item>}, until it reads
 * {@code exit}.
 *
 * <p>Arguments: app.ini, data directory.
 */
public final class ServiceMain {
  public static void main(String[] args) throws Exception {
    Path ini = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Path refuse = data.resolve("refuse");
    Files.createDirectories(data);
    Files.writeString(refuse, "");
    try (QueueManager queues = QueueManager.builder().ini(ini).dataPath(data).build()) {
      WorkerPoolQueue<String> index = queues.create(QueueSpec.simple("index", String.class, batch -> {
        List<Object> failed = new ArrayList<>();
        for (String item : batch) {
          if (item.startsWith("bad-") && Files.exists(refuse)) {
            failed.add(new PermanentFailure(item, "refused: " + item + (item.startsWith("bad-2") ? "\r" : "")));
          } else {
            System.out.println("HANDLED " + item);
          }
        }
        return failed;
      }));
      index.push("bad-1");
      index.push("bad-2\u001b[31mred");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (index.stats().dead() < 2) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the two bad items did not die: " + index.stats());
        }
        Thread.onSpinWait();
        Thread.sleep(10); // a child polling its own state; the test itself waits on lines with deadlines
      }
      index.pause();
      for (int i = 1; i <= 3; i++) {
        index.push("waiting-" + i);
      }
      System.out.println("READY");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("resume")) {
          index.resume();
        } else if (line.equals("exit")) {
          break;
        }
      }
    }
    System.out.println("CLOSED");
  }
}
