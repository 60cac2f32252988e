package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.ini.IniQueueConfig;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Item;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in this JVM, on level, redis and postgres data written by a service in another JVM. */
class QueuekitCliTest {

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  record Run(int code, String out, String err) {}

  private Run run(Path ini, Path data, String... args) {
    return runAs(LevelDbOwner.PROCESS_USER, ini, data, args);
  }

  /** {@link #run}, the CLI taking the user it runs as from {@code user}. */
  private Run runAs(java.util.function.Supplier<String> user, Path ini, Path data, String... args) {
    CommandLine cmd = QueuekitCli.commandLine(user);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    all[0] = "--config";
    all[1] = ini.toString();
    all[2] = "--data";
    all[3] = data.toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return new Run(cmd.execute(all), out.toString(), err.toString());
  }

  private Path ini(String queueSection) throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue.index]\n" + queueSection + "\n[queue.mail]\nTYPE = channel\n");
    return ini;
  }

  private ChildJvm service(Path ini, Path data) {
    ChildJvm child = ChildJvm.start(ServiceMain.class, ini.toString(), data.toString());
    child.awaitLine("READY", Duration.ofSeconds(60));
    return child;
  }

  @Test
  void levelDataOfAStoppedServiceIsShownReplayedAndPurged() throws Exception {
    Path ini = ini("TYPE = level\nDATADIR = queues/index");
    Path data = dir.resolve("data");
    try (ChildJvm child = service(ini, data)) {
      Run locked = run(ini, data, "queues", "index");
      assertThat(locked.code()).as(locked.err()).isEqualTo(QueuekitCli.UNAVAILABLE);
      assertThat(locked.out()).as("the row says why").contains("LOCK").contains("admin page");
      Run lockedList = run(ini, data, "dead", "list", "index");
      assertThat(lockedList.code()).as(lockedList.err()).isEqualTo(QueuekitCli.UNAVAILABLE);
      assertThat(lockedList.err()).contains("LOCK").contains("admin page");
      child.send("exit");
      child.awaitLine("CLOSED", Duration.ofSeconds(60));
      assertThat(child.awaitExit(Duration.ofSeconds(30))).isZero();
    }

    Run queues = run(ini, data, "--format", "json", "queues");
    assertThat(queues.code()).as(queues.err()).isZero();
    JsonNode rows = json.readTree(queues.out());
    JsonNode index = rows.get(0).path("name").asText().equals("index") ? rows.get(0) : rows.get(1);
    assertThat(index.path("ready").asLong()).isEqualTo(3);
    assertThat(index.path("dead").asLong()).isEqualTo(2);
    assertThat(queues.out()).contains("mail").contains("service's memory");

    Run text = run(ini, data, "queues");
    assertThat(text.out()).contains("index").contains("level");

    Run list = run(ini, data, "dead", "list", "index");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("bad-1").contains("refused: bad-1").contains("2 of 2 dead letters");
    assertThat(list.out()).as("an escape sequence in a payload is shown, not sent to the terminal")
        .doesNotContain("\u001b").containsIgnoringCase("\\u001b[31mred");
    String[] lines = list.out().split("\n");
    for (int i = 1; i <= 2; i++) {
      assertThat(lines[i].indexOf("refused: bad-")).as("in line with the heading:\n" + list.out())
          .isEqualTo(lines[0].indexOf("REASON"));
    }

    JsonNode page = json.readTree(run(ini, data, "--format", "json", "dead", "list", "index").out());
    assertThat(page.fieldNames()).as("a stable order, as the help says")
        .toIterable().containsExactly("queue", "total", "offset", "entries");
    assertThat(json.readTree(run(ini, data, "dead", "list", "index", "--format", "json").out()))
        .as("--format after the command").isEqualTo(page);
    long bad1 = -1;
    long bad2 = -1;
    for (JsonNode e : page.path("entries")) {
      if (e.path("preview").asText().contains("bad-1")) {
        bad1 = e.path("id").asLong();
      } else if (e.path("preview").asText().contains("bad-2")) {
        bad2 = e.path("id").asLong();
      }
    }
    JsonNode red = null;
    for (JsonNode e : page.path("entries")) {
      if (e.path("preview").asText().contains("red")) {
        red = e;
      }
    }
    assertThat(red).isNotNull();
    // the payload's text as it is (its codec, JSON, wrote the escape as six characters): the
    // JSON output escapes what needs it once, so a reader gets that text back; it once read the
    // text output's escaping of it, the backslash doubled
    assertThat(red.path("preview").asText()).isEqualTo("\"bad-2\\u001B[31mred\"");
    Run show = run(ini, data, "dead", "show", "index", Long.toString(bad1));
    assertThat(show.out()).contains("bad-1").contains("refused: bad-1");
    Run showEscaped = run(ini, data, "dead", "show", "index", Long.toString(bad2));
    assertThat(showEscaped.out()).as("the reason's escape sequence and CR are shown, not sent to the terminal")
        .doesNotContain("\u001b").doesNotContain("\r")
        .contains("refused: bad-2\\u001b[31mred\\r");
    Run unknown = run(ini, data, "dead", "show", "index", "999999");
    assertThat(unknown.code()).isEqualTo(QueuekitCli.USAGE);
    assertThat(unknown.err()).contains("has no dead letter 999999").contains("Usage: queuekit dead show ");

    // an id that is no dead letter is named, and the exit code says so; the others are done
    Run partly = run(ini, data, "dead", "replay", "index", Long.toString(bad1), "999999");
    assertThat(partly.out()).isEqualTo("replayed 1 dead letter of index\n");
    assertThat(partly.err()).contains("queue \"index\" has no dead letter 999999");
    assertThat(partly.code()).isEqualTo(QueuekitCli.USAGE);
    assertThat(run(ini, data, "dead", "replay", "index", Long.toString(bad1)).code())
        .as("replayed already").isEqualTo(QueuekitCli.USAGE);
    assertThat(run(ini, data, "dead", "purge", "index", "--all").out()).isEqualTo("purged 1 dead letter of index\n");
    JsonNode after = json.readTree(run(ini, data, "--format", "json", "queues", "index").out()).get(0);
    assertThat(after.path("ready").asLong()).isEqualTo(4);
    assertThat(after.path("dead").asLong()).isZero();

    assertThat(run(ini, data, "remove-all", "index").code()).isEqualTo(QueuekitCli.USAGE);
    assertThat(run(ini, data, "remove-all", "--yes", "index").out()).contains("removed 4");
    JsonNode removed = json.readTree(run(ini, data, "remove-all", "--yes", "index", "--format", "json").out());
    assertThat(removed.fieldNames()).toIterable().containsExactly("queue", "removed");
    assertThat(removed.path("removed").asLong()).isZero();
  }

  @Test
  void redisDataIsShownAndReplayedWhileTheServiceRuns() throws Exception {
    try (RedisServer redis = RedisServer.startPlain()) {
      sharedStoreWhileTheServiceRuns("redis", redis.connStr(), "");
    }
  }

  @Test
  void postgresDataIsShownAndReplayedWhileTheServiceRuns() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      sharedStoreWhileTheServiceRuns("postgres", pg.connStr(pg.createDatabase()),
          PostgresServer.PASSWORD);
    }
  }

  /** A service in another JVM holds the queue on a shared server; the CLI reads and replays. */
  private void sharedStoreWhileTheServiceRuns(String type, String connStr, String password)
      throws Exception {
    Path ini = ini("TYPE = " + type + "\nCONN_STR = " + connStr);
    Path data = dir.resolve("data");
    try (ChildJvm child = service(ini, data)) {
      Run queues = run(ini, data, "--format", "json", "queues", "index");
      JsonNode index = json.readTree(queues.out()).get(0);
      assertThat(index.path("type").asText()).isEqualTo(type);
      assertThat(index.path("ready").asLong()).isEqualTo(3);
      assertThat(index.path("dead").asLong()).isEqualTo(2);

      Run list = run(ini, data, "--format", "json", "dead", "list", "index");
      assertThat(json.readTree(list.out()).path("entries")).hasSize(2);
      if (!password.isEmpty()) {
        assertThat(queues.out() + queues.err() + list.out() + list.err())
            .doesNotContain(password);
      }
      Files.delete(data.resolve("refuse"));
      child.send("resume");
      Run replay = run(ini, data, "dead", "replay", "index", "--all");
      assertThat(replay.code()).as(replay.err()).isZero();
      assertThat(replay.out()).contains("replayed 2");
      child.awaitLine("HANDLED bad-1", Duration.ofSeconds(60));
      child.send("exit");
      child.awaitLine("CLOSED", Duration.ofSeconds(60));
    }
  }

  /**
   * The user's report: looking at a queue before its service first started created the store,
   * recorded the wrong flavour (simple) and the service then refused to open it as unique.
   */
  @Test
  void aLevelQueueThatDoesNotExistIsNotCreatedAndItsServiceStartsLater() throws Exception {
    Path ini = ini("TYPE = level\nDATADIR = queues/index");
    Path data = dir.resolve("d3");
    for (String[] args : List.of(new String[] {"queues", "index"}, new String[] {"dead", "list", "index"},
        new String[] {"dead", "show", "index", "1"}, new String[] {"remove-all", "--yes", "index"},
        new String[] {"dead", "purge", "index", "--all"})) {
      Run r = run(ini, data, args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(QueuekitCli.USAGE);
      // queues says it in the queue's row, the other commands on the error stream
      assertThat(args[0].equals("queues") ? r.out() : r.err()).contains("queue \"index\"")
          .contains(data.resolve("queues/index").toString()).contains("no store");
      assertThat(data).as("nothing is created").doesNotExist();
    }
    try (QueueManager m = QueueManager.builder().ini(ini).dataPath(data).build()) {
      m.create(QueueSpec.unique("index", String.class, b -> List.of())).push("a");
    }
    Run r = run(ini, data, "--format", "json", "queues", "index");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(json.readTree(r.out()).get(0).path("unique").asBoolean()).isTrue();
  }

  /** Every file under {@code dir} with its size and modification time. */
  private static Map<String, String> files(Path dir) throws Exception {
    Map<String, String> files = new java.util.TreeMap<>();
    try (var s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p));
      }
    }
    return files;
  }

  /**
   * The operator's report: the CLI run as root on a LevelDB directory the service user owns
   * rewrote CURRENT, the log and MANIFEST as root, and the service then failed with "CURRENT:
   * Permission denied"; a look did it too. Run as another user (simulated: a test runs as one
   * user), every command refuses before opening anything, naming the directory, its owner and the
   * user, with a usage error; the directory's files are untouched. Run as the owner, it works.
   */
  @Test
  void aLevelDbDirectoryOfAnotherUserIsRefusedBeforeAnythingOpensIt() throws Exception {
    Path ini = ini("TYPE = level\nDATADIR = queues/index");
    Path data = dir.resolve("owned");
    try (QueueManager m = QueueManager.builder().ini(ini).dataPath(data).build()) {
      io.queuekit.WorkerPoolQueue<String> index = m.create(QueueSpec.simple("index", String.class,
          b -> List.of()));
      index.pause(); // so the item stays waiting, for the owner's look below
      index.push("waiting");
    }
    Path db = data.resolve("queues/index");
    String owner = Files.getOwner(db).getName();
    Map<String, String> before = files(db);

    for (String[] args : List.of(new String[] {"queues", "index"}, new String[] {"queues"},
        new String[] {"--format", "json", "queues", "index"}, new String[] {"dead", "list", "index"},
        new String[] {"remove-all", "--yes", "index"})) {
      Run r = runAs(() -> "not-" + owner, ini, data, args);
      String what = String.join(" ", args);
      assertThat(r.code()).as(what + ": " + r).isEqualTo(QueuekitCli.USAGE);
      // queues says it in the queue's row, the other commands on the error stream
      String said = List.of(args).contains("queues") ? r.out() : r.err();
      assertThat(said).as(what).contains("index").contains(db.toString())
          .contains("owned by " + owner)
          .contains("runs as not-" + owner).contains("sudo -u " + owner);
      assertThat(files(db)).as(what + ": nothing was opened, so no file was rewritten")
          .isEqualTo(before);
    }

    Run asOwner = run(ini, data, "--format", "json", "queues", "index");
    assertThat(asOwner.code()).as(asOwner.err()).isZero();
    assertThat(json.readTree(asOwner.out()).get(0).path("ready").asLong()).isEqualTo(1);
    assertThat(files(db)).as("an open, even a look, rewrites the files: the comparisons above "
        + "would have seen one").isNotEqualTo(before);
  }

  /** How many times {@code part} occurs in {@code text}. */
  private static int occurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  /**
   * {@code queues NAME} of a queue without a store printed its error twice on a terminal: in the
   * queue's row and again on the error stream. The row says it; the error stream names the queue.
   */
  @Test
  void queuesPrintsAMissingStoresErrorOnce() throws Exception {
    Path ini = ini("TYPE = level\nDATADIR = queues/index");
    Path data = dir.resolve("d4");
    for (String format : List.of("text", "json")) {
      Run r = run(ini, data, "--format", format, "queues", "index");
      Run after = run(ini, data, "queues", "index", "--format", format);
      assertThat(after).as("--format after the command").isEqualTo(r);
      assertThat(r.code()).as(format + ": " + r.err()).isEqualTo(QueuekitCli.USAGE);
      assertThat(occurrences(r.out() + r.err(), "no store")).as(format + ": once, in the row: " + r)
          .isEqualTo(1);
      String row = format.equals("json") ? json.readTree(r.out()).get(0).path("problem").asText() : r.out();
      assertThat(row).as(format).contains("queue \"index\": no store")
          .contains(data.resolve("queues/index").toString());
      assertThat(r.err()).as(format).contains("index");
    }
  }

  /** The demo's app.ini mixes unique and simple queues: each is opened as its store's flavour. */
  @Test
  void queuesOfBothFlavoursAreShownAndARowThatFailsSaysWhy() throws Exception {
    Path ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue]\nDATADIR = queues/common\n[queue.plain]\n[queue.uniq]\n[queue.never]\n"
        + "[queue.mail]\nTYPE = channel\n");
    Path data = dir.resolve("data");
    IniQueueConfig config = IniQueueConfig.load(ini);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (String name : List.of("plain", "uniq")) {
        try (BaseQueue q = BaseQueues.load().create("level", new BaseQueueConfig(name, config.settings(name),
            name.equals("uniq"), Clock.systemUTC(), scheduler, data))) {
          q.push(Item.of(name.getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        }
      }
    } finally {
      scheduler.shutdownNow();
    }

    Run all = run(ini, data, "--format", "json", "queues");
    assertThat(all.code()).as("the first failing row's code: never has no store").isEqualTo(QueuekitCli.USAGE);
    Map<String, JsonNode> rows = new java.util.HashMap<>();
    json.readTree(all.out()).forEach(row -> rows.put(row.path("name").asText(), row));
    assertThat(rows.keySet()).containsExactlyInAnyOrder("plain", "uniq", "never", "mail");
    assertThat(rows.get("plain").path("ready").asLong()).isEqualTo(1);
    assertThat(rows.get("plain").path("unique").asBoolean()).isFalse();
    assertThat(rows.get("uniq").path("ready").asLong()).isEqualTo(1);
    assertThat(rows.get("uniq").path("unique").asBoolean()).isTrue();
    assertThat(rows.get("never").path("problem").asText()).contains("queue \"never\"").contains("no store");
    assertThat(rows.get("mail").path("problem").asText()).contains("service's memory");
    assertThat(all.err()).contains("could not show never: see its row").doesNotContain("no store");

    Run text = run(ini, data, "queues");
    assertThat(text.out()).containsPattern("plain +level +1 ").containsPattern("uniq +level +1 ")
        .containsPattern("never +level +error: queue \"never\"");
    Run old = run(ini, data, "queues", "--unique", "plain", "uniq");
    assertThat(old.code()).as(old.err()).isZero();
    assertThat(old.err()).contains("--unique is no longer needed");
    Run deadOfUnique = run(ini, data, "dead", "list", "uniq");
    assertThat(deadOfUnique.code()).as(deadOfUnique.err()).isZero();
    assertThat(deadOfUnique.out()).contains("0 of 0 dead letters of uniq");
  }

  /**
   * The table had fixed columns (QUEUE 24 wide): a longer name pushed its row's figures out of line
   * with the headings. Each column now fits its contents; a name over 40 characters is cut with …,
   * the table says so, and the JSON (unchanged) and the other commands take the whole name.
   */
  @Test
  void aLongQueueNameKeepsTheTableInLineAndIsWholeInJson() throws Exception {
    String longName = "repo_archive_cleanup_for_organisations_with_many_mirrors_v2";
    Path ini = dir.resolve("app.ini");
    Files.writeString(ini, "[queue]\nDATADIR = queues/common\n[queue.index]\n[queue." + longName + "]\n");
    Path data = dir.resolve("data");
    IniQueueConfig config = IniQueueConfig.load(ini);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (String name : List.of("index", longName)) {
        try (BaseQueue q = BaseQueues.load().create("level", new BaseQueueConfig(name, config.settings(name),
            false, Clock.systemUTC(), scheduler, data))) {
          for (int i = 0; i < (name.equals("index") ? 1 : 1234); i++) {
            q.push(Item.of((name + i).getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
          }
        }
      }
    } finally {
      scheduler.shutdownNow();
    }

    Run text = run(ini, data, "queues");
    assertThat(text.code()).as(text.err()).isZero();
    String[] lines = text.out().split("\n");
    assertThat(lines).as(text.out()).hasSize(4);
    String cut = longName.substring(0, QueuesTable.NAME_MAX) + "…";
    assertThat(lines[0]).startsWith("QUEUE" + " ".repeat(cut.length() - 5 + 2) + "TYPE   READY  DELAYED");
    assertThat(lines[1]).startsWith("index" + " ".repeat(cut.length() - 5 + 2) + "level      1        0");
    assertThat(lines[2]).startsWith(cut + "  level   1234        0");
    assertThat(lines[3]).isEqualTo("(a name ending in … is cut at 40 characters: queues --format json shows it whole)");
    for (String row : List.of(lines[1], lines[2])) {
      // READY, DELAYED, IN-FLIGHT and DEAD end where their headings do
      for (String heading : List.of("READY", "DELAYED", "IN-FLIGHT", "DEAD")) {
        int end = lines[0].indexOf(heading) + heading.length();
        assertThat(row.charAt(end - 1)).as(heading + " in " + row).isBetween('0', '9');
        assertThat(row.charAt(end)).as(heading + " in " + row).isEqualTo(' ');
      }
    }

    Run all = run(ini, data, "--format", "json", "queues");
    assertThat(all.code()).as(all.err()).isZero();
    JsonNode rows = json.readTree(all.out());
    assertThat(rows.get(1).path("name").asText()).isEqualTo(longName);
    assertThat(rows.get(1).path("ready").asLong()).isEqualTo(1234);
    assertThat(rows.get(1).fieldNames()).toIterable()
        .containsExactly("name", "type", "unique", "ready", "delayed", "inFlight", "dead", "oldestWaiting");
    Run list = run(ini, data, "dead", "list", longName);
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).endsWith("0 of 0 dead letters of " + longName + "\n");
  }

  @Test
  void aRedisQueueThatDoesNotExistIsNotCreated() throws Exception {
    try (RedisServer redis = RedisServer.startPlain()) {
      Path ini = ini("TYPE = redis\nCONN_STR = " + redis.connStr());
      Run r = run(ini, dir.resolve("data"), "queues", "index");
      assertThat(r.code()).as(r.err()).isEqualTo(QueuekitCli.USAGE);
      assertThat(r.out()).contains("queue \"index\"").contains("{index_queue}:meta")
          .contains("127.0.0.1:" + redis.port());
      Run typo = run(ini, dir.resolve("data"), "dead", "list", "indx");
      assertThat(typo.code()).as(typo.err()).isEqualTo(QueuekitCli.USAGE);
      assertThat(typo.err()).as("a name without a section is read with [queue]'s defaults: say so")
          .contains("no [queue.indx] section").contains("index");
      try (var client = redis.client()) {
        assertThat(client.strings("KEYS", "*")).as("no key is written").isEmpty();
      }
    }
  }

  /**
   * The operator's report: four queues on a dead Redis took 37 s before exit 4, each tried 10
   * times 1 s apart, one after the other. The CLI tries a server once: the first queue's row says
   * it could not reach it (one attempt), the others that it was not tried again, every row naming
   * the server with its password masked; the exit code is still 4. Nothing listens on the port.
   */
  @Test
  void aDeadRedisIsTriedOnceForAllItsQueues() throws Exception {
    int port = RedisServer.freePort();
    String password = "Dead5erverPw";
    String connStr = "redis://:" + password + "@127.0.0.1:" + port + "/0";
    String masked = "redis://:****@127.0.0.1:" + port + "/0";
    Path ini = dir.resolve("dead.ini");
    StringBuilder file = new StringBuilder("[queue]\nTYPE = redis\nCONN_STR = " + connStr + "\n");
    List<String> names = List.of("issue_indexer", "mail", "webhook_sender", "repo_stats_update");
    names.forEach(n -> file.append("[queue.").append(n).append("]\n"));
    Files.writeString(ini, file);

    Run r = run(ini, dir.resolve("data"), "--format", "json", "queues");
    assertThat(r.code()).as(r.toString()).isEqualTo(QueuekitCli.UNAVAILABLE);
    List<String> problems = new java.util.ArrayList<>();
    json.readTree(r.out()).forEach(row -> problems.add(row.path("problem").asText()));
    assertThat(problems).as(r.out()).hasSize(names.size()).allMatch(p -> p.contains(masked));
    assertThat(problems.get(0)).contains("queue \"issue_indexer\": cannot reach Redis at " + masked
        + " (one attempt)");
    assertThat(problems.subList(1, problems.size())).as("one attempt for the server, not per queue")
        .allMatch(p -> p.contains(": not tried again, as for queue \"issue_indexer\": cannot reach"));
    assertThat(r.out() + r.err()).doesNotContain(password);

    Run one = run(ini, dir.resolve("data"), "dead", "list", "mail");
    assertThat(one.code()).as(one.toString()).isEqualTo(QueuekitCli.UNAVAILABLE);
    assertThat(one.err()).contains("queue \"mail\": cannot reach Redis at " + masked)
        .doesNotContain(password);
  }

  @Test
  void aPostgresSchemaThatDoesNotExistIsNotCreated() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String db = pg.createDatabase();
      Path ini = ini("TYPE = postgres\nCONN_STR = " + pg.connStr(db) + "?schema=queeus");
      Run r = run(ini, dir.resolve("data"), "dead", "list", "index");
      assertThat(r.code()).as(r.err()).isEqualTo(QueuekitCli.USAGE);
      assertThat(r.err()).contains("queue \"index\"").contains("no schema queeus")
          .doesNotContain(PostgresServer.PASSWORD);
      assertThat(pg.sql(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'queeus'").strip())
          .isEqualTo("0");
      // HikariCP announced each pool's start and shutdown at INFO in the CLI's output
      try (ChildJvm child = cli("--config", ini.toString(), "dead", "list", "index")) {
        assertThat(child.awaitExit(Duration.ofSeconds(1))).as(child.describe()).isEqualTo(QueuekitCli.USAGE);
        assertThat(child.stdout()).as(child.describe()).isEmpty();
        assertThat(child.stderr()).as(child.describe()).startsWith("queuekit: queue \"index\"")
            .doesNotContain("INFO").doesNotContain("Hikari");
      }
    }
  }

  @Test
  void deadListHelpSaysNewestFirst() {
    String help = QueuekitCli.commandLine().getSubcommands().get("dead").getSubcommands().get("list")
        .getUsageMessage();
    assertThat(help).as("BaseQueue.listDead pages newest first").contains("newest first")
        .doesNotContain("oldest first");
  }

  @Test
  void pauseFromOutsideIsRefusedWithWhereToDoIt() throws Exception {
    Path ini = ini("TYPE = level");
    Run r = run(ini, dir.resolve("data"), "pause", "index");
    assertThat(r.code()).isEqualTo(QueuekitCli.NOT_FROM_OUTSIDE);
    assertThat(r.err()).contains("admin page");
  }

  /**
   * A Gitea app.ini often has only [queue] (its queues are named in code): {@code queues} printed
   * an empty table and exit code 0, as if there were no queue at all. It says the file names none
   * and how to name them, as a usage error, on the error stream, in both formats.
   */
  @Test
  void queuesOfAFileThatNamesNoQueueIsAUsageErrorSayingHowToNameThem() throws Exception {
    Path ini = dir.resolve("o.ini");
    Files.writeString(ini, "[queue]\nTYPE = postgres\n"
        + "CONN_STR = postgres://gitea:Wrong-Pw@127.0.0.1:1/gitea\n");
    for (String format : List.of("text", "json")) {
      Run r = run(ini, dir.resolve("data"), "--format", format, "queues");
      assertThat(r.code()).as(format + ": " + r).isEqualTo(QueuekitCli.USAGE);
      assertThat(r.out()).as(format + ": nothing on standard output, which a script may parse")
          .isEmpty();
      assertThat(r.err()).as(format)
          .contains("no queues named in " + ini)
          .contains("[queue.NAME]")
          .contains("queues NAME")
          .doesNotContain("Wrong-Pw");
    }
  }

  @Test
  void aBrokenConfigIsAConfigurationError() throws Exception {
    Path ini = dir.resolve("bad.ini");
    Files.writeString(ini, "[queue.index]\nLENGTH = many\n");
    Run r = run(ini, dir.resolve("data"), "queues");
    assertThat(r.code()).isEqualTo(QueuekitCli.CONFIG);
    assertThat(r.err()).contains("bad.ini");
  }

  /** The CLI as an operator runs it: its own JVM, logging configured as the jar's. */
  private static ChildJvm cli(String... args) {
    ChildJvm child = ChildJvm.of(QueuekitCli.class).args(args).start();
    child.awaitExit(Duration.ofSeconds(60));
    return child;
  }

  /**
   * A configuration error was printed twice, as {@code [main] ERROR …IniQueueConfig} and as {@code
   * queuekit: …}: the CLI says a finding once, an error as {@code queuekit:} and a warning as
   * {@code queuekit: warning:}.
   */
  @Test
  void aConfigFindingIsSaidOnce() throws Exception {
    Path bad = dir.resolve("bad.ini");
    Files.writeString(bad, "[queue.index]\nLENGTH = many\n");
    try (ChildJvm child = cli("--config", bad.toString(), "queues")) {
      assertThat(child.awaitExit(Duration.ofSeconds(1))).as(child.describe()).isEqualTo(QueuekitCli.CONFIG);
      assertThat(occurrences(child.stderr(), "LENGTH=many")).as(child.describe()).isEqualTo(1);
      assertThat(child.stderr()).as(child.describe()).startsWith("queuekit: " + bad + ":2 [queue.index] LENGTH");
    }

    Path warned = dir.resolve("warned.ini");
    Files.writeString(warned, "[queue.index]\nTYPE = level\nLENGHT = 5\n");
    try (ChildJvm child = cli("--config", warned.toString(), "--data", dir.resolve("data").toString(),
        "queues", "index")) {
      assertThat(child.awaitExit(Duration.ofSeconds(1))).as(child.describe()).isEqualTo(QueuekitCli.USAGE);
      assertThat(occurrences(child.stderr(), "unknown key LENGHT")).as(child.describe()).isEqualTo(1);
      assertThat(child.stderr()).as(child.describe()).startsWith("queuekit: warning: " + warned + ":3");
    }
    Run inJvm = run(warned, dir.resolve("data"), "queues", "index");
    assertThat(inJvm.err()).startsWith("queuekit: warning: ").contains("unknown key LENGHT");
  }
}
