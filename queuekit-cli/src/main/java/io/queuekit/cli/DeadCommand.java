package io.queuekit.cli;

import io.queuekit.internal.DeadSelection;
import io.queuekit.internal.Previews;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code queuekit dead list|show|replay|purge QUEUE ...}: a queue's dead letters. */
@Command(name = "dead", mixinStandardHelpOptions = true,
    description = "A queue's dead letters: list, show, replay, purge.")
final class DeadCommand implements Runnable {

  @ParentCommand QueuekitCli cli;
  @Spec CommandSpec spec;

  /** Accepted for old scripts: the flavour is now read from the store. */
  @Option(names = "--unique", hidden = true, scope = CommandLine.ScopeType.INHERIT,
      description = QueuekitCli.UNIQUE)
  boolean unique;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: list, show, replay or purge");
  }

  /** When a dead letter died, in the table: UTC to the millisecond, always 24 characters. */
  private static final DateTimeFormatter DEAD_AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Command(name = "list", mixinStandardHelpOptions = true, description = {
      "Dead letters, newest first, a page at a time.",
      "JSON: {\"queue\", \"total\", \"offset\", \"entries\"}, in that order; each entry {\"id\", \"reason\", "
          + "\"deliveryCount\", \"recoveryCount\", \"firstPushed\", \"deadAt\", \"preview\"}."})
  int list(@Mixin Invoked self,
      @Parameters(paramLabel = "QUEUE", description = "the queue whose dead letters to list") String queue,
      @Option(names = "--offset", paramLabel = "N", defaultValue = "0",
          description = "how many of the newest to skip (default: ${DEFAULT-VALUE})") int offset,
      @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
          description = "how many to list, 1..10000 (default: ${DEFAULT-VALUE})") int limit) {
    if (offset < 0 || limit < 1 || limit > 10_000) {
      throw self.usageError("--offset must be ≥ 0 and --limit 1..10000 (were " + offset + " and " + limit + ")");
    }
    QueuekitCli.uniqueIgnored(unique, self.err());
    try (Stores stores = cli.stores()) {
      BaseQueue q = stores.open(queue);
      List<DeadLetter> dead = q.listDead(offset, limit);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (DeadLetter d : dead) {
        rows.add(QueuekitCli.deadJson(d, false));
      }
      long total = q.stats().dead();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("queue", queue);
      json.put("total", total);
      json.put("offset", offset);
      json.put("entries", rows);
      cli.print(json, table(dead)
          + dead.size() + " of " + QueuekitCli.count(total, "dead letter") + " of " + queue + "\n");
      return QueuekitCli.OK;
    }
  }

  /** {@code dead}'s text table: each column as wide as its widest cell, times all alike. */
  static String table(List<DeadLetter> dead) {
    TextTable table = new TextTable(List.of("ID", "DEAD AT", "DELIV", "RECOV", "REASON", "PAYLOAD"),
        true, false, true, true, false, false);
    for (DeadLetter d : dead) {
      table.add(d.id(), DEAD_AT.format(d.deadAt()), d.deliveryCount(), d.recoveryCount(),
          Previews.text(d.reason(), 20), Previews.of(d.payload(), 60));
    }
    return table.toString();
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter, its whole payload.")
  int show(@Mixin Invoked self,
      @Parameters(paramLabel = "QUEUE", description = "the queue the dead letter is in") String queue,
      @Parameters(paramLabel = "ID", description = "the dead letter's id, as dead list shows it") String idText) {
    long id = id(self, idText);
    QueuekitCli.uniqueIgnored(unique, self.err());
    try (Stores stores = cli.stores()) {
      BaseQueue q = stores.open(queue);
      List<DeadLetter> found = q.findDead(List.of(id));
      DeadLetter d = found.isEmpty() ? null : found.get(0);
      if (d == null) {
        throw self.usageError("queue \"" + queue + "\" has no dead letter " + id
            + " (see: queuekit dead list " + queue + ")");
      }
      Map<String, Object> m = QueuekitCli.deadJson(d, true);
      StringBuilder text = new StringBuilder();
      // the reason is a handler's text: escaped like the payload, so it cannot drive the
      // terminal (JSON escapes control characters by itself)
      m.forEach((k, v) -> text.append(String.format("%-14s %s%n", k + ":",
          k.equals("reason") ? Previews.text(d.reason(), Integer.MAX_VALUE)
              : k.equals("payload") ? Previews.of(d.payload(), Integer.MAX_VALUE) : v)));
      cli.print(m, text.toString());
      return QueuekitCli.OK;
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Dead letters back to the queue (IDs, or --all).")
  int replay(@Mixin Invoked self,
      @Parameters(paramLabel = "QUEUE", description = "the queue whose dead letters to replay") String queue,
      @Parameters(paramLabel = "ID", arity = "0..*", description = "the dead letters to replay, as dead list "
          + "shows their ids") List<String> ids,
      @Option(names = "--all", description = "replay every dead letter of the queue (instead of IDs)")
      boolean all) {
    return onDead(self, queue, ids, all, "replayed", BaseQueue::replayAllDead, BaseQueue::replayDead);
  }

  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = "Deletes dead letters for good (IDs, or --all).")
  int purge(@Mixin Invoked self,
      @Parameters(paramLabel = "QUEUE", description = "the queue whose dead letters to delete") String queue,
      @Parameters(paramLabel = "ID", arity = "0..*", description = "the dead letters to delete, as dead list "
          + "shows their ids") List<String> ids,
      @Option(names = "--all", description = "delete every dead letter of the queue (instead of IDs)")
      boolean all) {
    return onDead(self, queue, ids, all, "purged", BaseQueue::purgeAllDead, BaseQueue::purgeDead);
  }

  /**
   * Replay or purge: every dead letter, or those named; prints how many. Named ids that are no
   * dead letter of the queue (replayed or purged already, or never one) are named on standard
   * error after the others are done, and the exit code is then a usage error's, as {@code dead
   * show} of such an id: a script must not take "replayed 0" for success.
   */
  private int onDead(Invoked self, String queue, List<String> ids, boolean all, String done,
      java.util.function.ToLongFunction<BaseQueue> every,
      java.util.function.ToLongBiFunction<BaseQueue, List<Long>> some) {
    List<Long> named = ids(self, ids, all);
    QueuekitCli.uniqueIgnored(unique, self.err());
    try (Stores stores = cli.stores()) {
      BaseQueue q = stores.open(queue);
      java.util.Set<Long> missing = all ? java.util.Set.of() : notDead(q, named);
      long n = all ? every.applyAsLong(q) : some.applyAsLong(q, named);
      long taken = all ? 0 : DeadSelection.taken(named, missing, n);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("queue", queue);
      json.put(done, n);
      if (!missing.isEmpty()) {
        json.put("missing", missing);
      }
      if (taken > 0) {
        json.put("taken", taken);
      }
      cli.print(json, done + " " + QueuekitCli.count(n, "dead letter") + " of " + queue + "\n");
      if (missing.isEmpty() && taken == 0) {
        return QueuekitCli.OK;
      }
      if (!missing.isEmpty()) {
        self.err().println("queue \"" + queue + "\" has no dead letter "
            + missing.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
            + " (replayed or purged already, or never one; see: queuekit dead list " + queue + ")");
      }
      if (taken > 0) {
        self.err().println("queue \"" + queue + "\": "
            + DeadSelection.takenMessage(taken));
      }
      self.err().flush();
      return QueuekitCli.USAGE;
    }
  }

  /** The ids of {@code named} that are no dead letter of {@code q} now, in the order named. */
  private static java.util.Set<Long> notDead(BaseQueue q, List<Long> named) {
    return DeadSelection.missing(named, q.findDead(named).stream().map(DeadLetter::id).toList());
  }

  /** The ids named, read as {@link #id}; a usage error unless there are some or {@code all}, not both. */
  private static List<Long> ids(Invoked self, List<String> ids, boolean all) {
    if ((ids == null || ids.isEmpty()) == !all) {
      throw self.usageError("name dead-letter ids, or --all (not both)");
    }
    return all ? List.of() : ids.stream().map(text -> id(self, text)).toList();
  }

  /**
   * A dead-letter id as named on the command line: a usage error naming {@code text} when it is no
   * number (picocli took one that is not a number for an argument too many).
   */
  private static long id(Invoked self, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw self.usageError("'" + text + "' is not a dead-letter id: ids are whole numbers, as "
          + "queuekit dead list QUEUE shows them", e);
    }
  }
}
