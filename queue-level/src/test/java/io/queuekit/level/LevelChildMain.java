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
        default:
          throw new IllegalArgumentException(args[0]);
      }
    } finally {
      scheduler.shutdownNow();
    }
    System.out.println("DONE");
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
    QueueSettings s = QueueSettings.builder().connStr("leveldb://" + dir + query).build();
    return BaseQueues.load().create("level", new BaseQueueConfig(name, s, false,
        Clock.systemUTC(), scheduler, dir));
  }
}
