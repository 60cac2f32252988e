package io.queuekit.level;

import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The other process of the LevelDB tests.
 *
 * <ul>
 *   <li>{@code hold DIR}: opens queue "held" in DIR, prints {@code READY}, keeps the DB open until
 *       its standard input closes.
 *   <li>{@code probe DIR}: opens queue "probe" in DIR without an engine option, pushes one item,
 *       prints {@code ENGINE <jni|java>}, then tries {@code engine=jni} and prints {@code JNI
 *       <message>}.
 *   <li>{@code migrate DIR CHUNK}: migrates queue "mig" (simple, layout 1) in DIR one write round
 *       of CHUNK entries at a time, printing {@code ROUND <n>} after each, for a parent that kills
 *       it mid-migration; prints {@code MIGRATED} at the end.
 *   <li>{@code diskfull DIR ENGINE}: opens queue "full" in DIR with engine ENGINE, prints {@code
 *       READY}, then answers commands on its standard input, one line each: {@code PUSH n} (n
 *       items of 4 KiB; {@code PUSH ok n} or {@code PUSH refused k <message>} after k were
 *       accepted), {@code CLAIM n} ({@code CLAIM n}), {@code ACK} (settles what was claimed:
 *       {@code ACK ok n} or {@code ACK refused <message>}), {@code CHECK} (closes and reopens the
 *       queue, claims everything, and prints {@code CHECK found n missing [ids]}) and {@code QUIT}.
 *       Any other exception is printed as {@code FAILED <exception>}, and the child goes on: a
 *       child that dies shows in its exit code.
 * </ul>
 */
public final class LevelChildMain {
  private LevelChildMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      switch (args[0]) {
        case "hold":
          try (BaseQueue q = open("held", dir, "", scheduler)) {
            q.push(Item.of("from the child".getBytes(StandardCharsets.UTF_8)), Duration.ZERO);
            System.out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
            while (in.readLine() != null) {
              // hold the lock until the parent closes our input
            }
          }
          break;
        case "probe":
          try (BaseQueue q = open("probe", dir, "", scheduler)) {
            q.push(Item.of("probe".getBytes(StandardCharsets.UTF_8)), Duration.ZERO);
            System.out.println("ENGINE " + ((LevelQueue) q).db().engine().option() + " LEN "
                + q.len());
          }
          try (BaseQueue q = open("probe", dir, "?engine=jni", scheduler)) {
            System.out.println("JNI opened " + q.len());
          } catch (QueueException e) {
            System.out.println("JNI " + e.getMessage().replace('\n', ' '));
          }
          break;
        case "migrate":
          migrate(dir, Integer.parseInt(args[2]), scheduler);
          break;
        case "diskfull":
          diskFull(dir, args[2], Path.of(args[3]), scheduler);
          break;
        default:
          throw new IllegalArgumentException(args[0]);
      }
    } finally {
      scheduler.shutdownNow();
    }
    System.out.println("DONE");
  }

  private static void diskFull(Path dir, String engine, Path otherDir,
      ScheduledExecutorService scheduler) throws java.io.IOException {
    String query = "?engine=" + engine;
    BaseQueue q = open("full", dir, query, scheduler, 1_000_000);
    // another queue of the process, on a disk with room: it must not die with the full one
    BaseQueue other = open("other", otherDir, query, scheduler, 1_000_000);
    java.util.TreeSet<Integer> stored = new java.util.TreeSet<>();
    java.util.List<io.queuekit.spi.Delivery> claimed = new java.util.ArrayList<>();
    int next = 0;
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.trim().split(" ");
      try {
        switch (cmd[0]) {
          case "PUSH": {
            int n = Integer.parseInt(cmd[1]);
            int k = 0;
            try {
              for (; k < n; k++) {
                q.push(Item.of(payload(next)), Duration.ZERO);
                stored.add(next++);
              }
              System.out.println("PUSH ok " + n);
            } catch (io.queuekit.QueueUnavailableException e) {
              System.out.println("PUSH refused " + k + " " + oneLine(e));
            }
            break;
          }
          case "OTHER": {
            other.push(Item.of(payload(-1)), Duration.ZERO);
            java.util.List<io.queuekit.spi.Delivery> ds = other.claim(1, Duration.ZERO);
            other.ack(ds);
            System.out.println("OTHER ok " + ds.size());
            break;
          }
          case "CLAIM":
            claimed.addAll(q.claim(Integer.parseInt(cmd[1]), Duration.ZERO));
            System.out.println("CLAIM " + claimed.size());
            break;
          case "ACK":
            try {
              q.ack(claimed);
              for (io.queuekit.spi.Delivery d : claimed) {
                stored.remove(idOf(d.payload()));
              }
              System.out.println("ACK ok " + claimed.size());
              claimed.clear();
            } catch (io.queuekit.QueueUnavailableException e) {
              System.out.println("ACK refused " + oneLine(e));
            }
            break;
          case "CHECK": {
            q.close();
            q = open("full", dir, query, scheduler, 1_000_000);
            java.util.TreeSet<Integer> missing = new java.util.TreeSet<>(stored);
            int found = 0;
            for (java.util.List<io.queuekit.spi.Delivery> ds; !(ds = q.claim(1000,
                Duration.ZERO)).isEmpty(); ) {
              for (io.queuekit.spi.Delivery d : ds) {
                missing.remove(idOf(d.payload()));
                found++;
              }
            }
            System.out.println("CHECK found " + found + " missing " + missing);
            break;
          }
          case "QUIT":
            q.close();
            other.close();
            System.out.println("DONE");
            return;
          default:
            System.out.println("FAILED unknown command " + line);
        }
      } catch (RuntimeException e) {
        System.out.println("FAILED " + oneLine(e));
      }
    }
  }

  /** Item {@code i}: its number, then 4 KiB that snappy cannot shrink. */
  private static byte[] payload(int i) {
    byte[] b = new byte[4096];
    new java.util.Random(i).nextBytes(b);
    byte[] id = (i + ";").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(id, 0, b, 0, id.length);
    return b;
  }

  private static int idOf(byte[] payload) {
    String s = new String(payload, 0, 16, StandardCharsets.ISO_8859_1);
    return Integer.parseInt(s.substring(0, s.indexOf(';')));
  }

  private static String oneLine(Throwable e) {
    return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
  }

  private static void migrate(Path dir, int chunk, ScheduledExecutorService scheduler) {
    QueueSettings s = QueueSettings.builder().connStr("leveldb://" + dir).build();
    BaseQueueConfig c = new BaseQueueConfig("mig", s, false, Clock.systemUTC(), scheduler, dir);
    LevelDb db = LevelDbs.acquire(LevelLocation.of(c), c.name());
    try {
      QueueState state = new QueueState(c.name(), c.queueFullName(), false, s, c.clock(), db,
          snapshot -> { }, io.queuekit.spi.StoreEvents.NONE);
      for (int round = 1; ; round++) {
        Records.Meta meta = Records.Meta.decode(db.raw().get(state.keys.meta()));
        if (meta.version() == QueueState.LAYOUT_VERSION && meta.migrated() == null) {
          break;
        }
        LayoutV1.migrate(db, state, meta, chunk, 1);
        System.out.println("ROUND " + round);
      }
      System.out.println("MIGRATED");
    } finally {
      LevelDbs.release(db);
    }
  }

  private static BaseQueue open(String name, Path dir, String query,
      ScheduledExecutorService scheduler) {
    return open(name, dir, query, scheduler, 0);
  }

  private static BaseQueue open(String name, Path dir, String query,
      ScheduledExecutorService scheduler, int length) {
    QueueSettings s = QueueSettings.builder().connStr("leveldb://" + dir + query).length(length)
        .build();
    return BaseQueues.load().create("level", new BaseQueueConfig(name, s, false,
        Clock.systemUTC(), scheduler, dir));
  }
}
