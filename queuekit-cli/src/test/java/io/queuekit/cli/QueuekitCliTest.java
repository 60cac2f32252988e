package io.queuekit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.postgres.PostgresServer;
import io.queuekit.conformance.redis.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in this JVM, on level, redis and postgres data written by a service in another JVM. */
class QueuekitCliTest {

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  record Run(int code, String out, String err) {}

  private Run run(Path ini, Path data, String... args) {
    CommandLine cmd = QueuekitCli.commandLine();
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
      assertThat(locked.err()).contains("LOCK").contains("admin page");
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

    JsonNode page = json.readTree(run(ini, data, "--format", "json", "dead", "list", "index").out());
    long bad1 = -1;
    long bad2 = -1;
    for (JsonNode e : page.path("entries")) {
      if (e.path("preview").asText().contains("bad-1")) {
        bad1 = e.path("id").asLong();
      } else if (e.path("preview").asText().contains("bad-2")) {
        bad2 = e.path("id").asLong();
      }
    }
    Run show = run(ini, data, "dead", "show", "index", Long.toString(bad1));
    assertThat(show.out()).contains("bad-1").contains("refused: bad-1");
    Run showEscaped = run(ini, data, "dead", "show", "index", Long.toString(bad2));
    assertThat(showEscaped.out()).as("the reason's escape sequence and CR are shown, not sent to the terminal")
        .doesNotContain("\u001b").doesNotContain("\r")
        .contains("refused: bad-2\\u001b[31mred\\r");
    assertThat(run(ini, data, "dead", "show", "index", "999999").code()).isEqualTo(QueuekitCli.USAGE);

    assertThat(run(ini, data, "dead", "replay", "index", Long.toString(bad1)).out())
        .isEqualTo("replayed 1 dead letter of index\n");
    assertThat(run(ini, data, "dead", "purge", "index", "--all").out()).isEqualTo("purged 1 dead letter of index\n");
    JsonNode after = json.readTree(run(ini, data, "--format", "json", "queues", "index").out()).get(0);
    assertThat(after.path("ready").asLong()).isEqualTo(4);
    assertThat(after.path("dead").asLong()).isZero();

    assertThat(run(ini, data, "remove-all", "index").code()).isEqualTo(QueuekitCli.USAGE);
    assertThat(run(ini, data, "remove-all", "--yes", "index").out()).contains("removed 4");
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

  @Test
  void aBrokenConfigIsAConfigurationError() throws Exception {
    Path ini = dir.resolve("bad.ini");
    Files.writeString(ini, "[queue.index]\nLENGTH = many\n");
    Run r = run(ini, dir.resolve("data"), "queues");
    assertThat(r.code()).isEqualTo(QueuekitCli.CONFIG);
    assertThat(r.err()).contains("bad.ini");
  }
}
