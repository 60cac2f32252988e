package io.queuekit.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.ini.OldOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every combination of the removed options the migrator knows ({@link OldOption}, and the keys
 * Gitea 1.20 dropped from {@code [queue]}), with values in each backend's form, under each kind of
 * {@code [queue]} section and {@code [task]} options: a file whose only errors are removed options
 * comes out of {@code migrate} with no error left for {@code check}.
 */
class RemovedOptionCombinationsTest {
  private static final String REDIS_OLD = "\"addrs=127.0.0.1:6379 db=0\"";
  private static final String REDIS_URI = "redis://:pw@127.0.0.1:6379/0";
  private static final String LEVEL_URI = "leveldb:///var/lib/gitea/queues/x";

  /** Each old option with the values it is tried with ("" = absent). */
  private static final Map<OldOption, List<String>> VALUES = Map.of(
      OldOption.ISSUE_INDEXER_QUEUE_TYPE, List.of("", "levelqueue", "channel", "redis"),
      OldOption.ISSUE_INDEXER_QUEUE_CONN_STR, List.of("", REDIS_OLD, REDIS_URI, LEVEL_URI),
      OldOption.ISSUE_INDEXER_QUEUE_DIR, List.of("", "indexers/issues.queue"),
      OldOption.ISSUE_INDEXER_QUEUE_BATCH_NUMBER, List.of("", "20"),
      OldOption.UPDATE_BUFFER_LEN, List.of("", "20"),
      OldOption.SEND_BUFFER_LEN, List.of("", "100"),
      OldOption.PULL_REQUEST_QUEUE_LENGTH, List.of("", "1000"),
      OldOption.MIRROR_QUEUE_LENGTH, List.of("", "1000"));

  private static final List<String> QUEUE_SECTIONS = List.of("", "[queue]\nTYPE = level\n",
      "[queue]\nTYPE = redis\nCONN_STR = " + REDIS_URI + "\n",
      "[queue]\nTYPE = redis\nCONN_STR = " + REDIS_OLD + "\n",
      "[queue]\nTYPE = level\nCONN_STR = " + LEVEL_URI + "\n");

  /** The keys Gitea 1.20 dropped from [queue] (LegacyQueueKey): warnings only. */
  private static final String LEGACY = "WRAP_IF_NECESSARY = true\nMAX_ATTEMPTS = 3\nTIMEOUT = 15m\n"
      + "WORKERS = 1\nBLOCK_TIMEOUT = 1s\nBOOST_TIMEOUT = 5m\nBOOST_WORKERS = 1\n";

  private static final List<String> TASK_TYPES = List.of("", "channel", "redis");
  private static final List<String> TASK_CONN = List.of("", REDIS_OLD, REDIS_URI, LEVEL_URI);

  @Test
  void migrateLeavesNoErrorWhereRemovedOptionsWereTheOnlyOnes() {
    List<OldOption> removed = List.of(OldOption.values()).stream().filter(OldOption::removed)
        .toList();
    int combos = 1;
    for (OldOption o : removed) {
      combos *= VALUES.get(o).size();
    }
    int clean = 0;
    int conflicts = 0;
    List<String> failures = new ArrayList<>();
    for (int c = 0; c < combos; c++) {
      for (int q = 0; q < QUEUE_SECTIONS.size(); q++) {
        int n = c * QUEUE_SECTIONS.size() + q;
        String text = file(removed, c, q, n);
        IniFile before = IniFile.parse(text, "app.ini");
        boolean onlyRemoved = ConfigCheck.run(before).stream().filter(Finding::fatal)
            .allMatch(f -> f.message().startsWith("removed queue option"));
        Migration.Result r = Migration.run(before);
        List<Finding> errors = ConfigCheck.run(r.after()).stream().filter(Finding::fatal)
            .toList();
        if (!r.conflicts().isEmpty()) {
          // only a CONN_STR the issue queue cannot use (a leveldb:// path for a redis queue)
          conflicts++;
          if (!(r.conflicts().size() == 1 && text.contains("ISSUE_INDEXER_QUEUE_CONN_STR = "
              + LEVEL_URI) && r.conflicts().get(0).description().contains("cannot use"))) {
            failures.add(text + "\n=> conflicts " + r.conflicts());
          }
          continue;
        }
        if (onlyRemoved) {
          clean++;
          if (!errors.isEmpty()) {
            failures.add(text + "\n=> migrated:\n" + r.after().text() + "\n=> errors " + errors);
          }
        }
        // whatever else is wrong, nothing removed is left behind
        assertThat(errors).noneMatch(f -> f.message().startsWith("removed queue option"));
      }
    }
    assertThat(failures).as("%d failures, e.g. %s", failures.size(),
        failures.isEmpty() ? "" : failures.get(0)).isEmpty();
    // the combinations tried: 1,024 option sets x 5 [queue] sections; most are clean
    assertThat(clean).isGreaterThan(3000);
    assertThat(conflicts).isGreaterThan(100);
  }

  /** The file for combination {@code c} of the removed options, [queue] section {@code q}. */
  private static String file(List<OldOption> removed, int c, int q, int n) {
    StringBuilder indexer = new StringBuilder();
    StringBuilder mailer = new StringBuilder();
    StringBuilder repository = new StringBuilder();
    int rest = c;
    for (OldOption o : removed) {
      List<String> values = VALUES.get(o);
      String v = values.get(rest % values.size());
      rest /= values.size();
      if (v.isEmpty()) {
        continue;
      }
      StringBuilder target = switch (o.section()) {
        case "indexer" -> indexer;
        case "mailer" -> mailer;
        default -> repository;
      };
      target.append(o.key()).append(" = ").append(v).append('\n');
    }
    // [task]: every QUEUE_TYPE x QUEUE_CONN_STR x QUEUE_LENGTH, spread over the combinations
    int t = n / QUEUE_SECTIONS.size();
    String taskType = TASK_TYPES.get(t % TASK_TYPES.size());
    String taskConn = TASK_CONN.get((t / TASK_TYPES.size()) % TASK_CONN.size());
    boolean taskLength = (t / (TASK_TYPES.size() * TASK_CONN.size())) % 2 == 0;
    StringBuilder task = new StringBuilder();
    if (!taskType.isEmpty()) {
      task.append("QUEUE_TYPE = ").append(taskType).append('\n');
    }
    if (!taskConn.isEmpty()) {
      task.append("QUEUE_CONN_STR = ").append(taskConn).append('\n');
    }
    if (taskLength) {
      task.append("QUEUE_LENGTH = 1000\n");
    }
    String queue = QUEUE_SECTIONS.get(q);
    if (n % 2 == 1) {
      queue = (queue.isEmpty() ? "[queue]\n" : queue) + LEGACY;
    }
    return "[indexer]\nISSUE_INDEXER_TYPE = bleve\n" + indexer + "[mailer]\n" + mailer
        + "[repository]\n" + repository + "[task]\n" + task + queue;
  }
}
