package io.queuekit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import io.queuekit.conformance.crash.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's demo, run in-process on a small mix: it exits 0 and accounts for every item. */
class DemoServiceTest {
  @TempDir Path data;

  private String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = DemoService.commandLine(out).execute(args);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    return text;
  }

  @Test
  void accountsForEveryPushedItemOnTheInMemoryBackend() {
    String out = run("--type", "channel", "--data", data.toString(), "--items", "300",
        "--search-down", "1s");
    assertThat(out).contains("every pushed item is accounted for");
    assertThat(out).contains("malformed: negative issue id -1");
    assertThat(out).doesNotContain("MISMATCH");
  }

  @Test
  void runsOnLevelDbByDefaultAndASecondRunFindsTheFirstRunsData() {
    String first = run("--data", data.toString(), "--items", "300", "--search-down", "1s");
    assertThat(first).contains("backend: level").contains("every pushed item is accounted for")
        .doesNotContain("earlier run");
    String second = run("--data", data.toString(), "--items", "300", "--search-down", "1s");
    assertThat(second).contains("found data from an earlier run")
        .contains("found 0 waiting and 1 dead letters from an earlier run")
        .contains("every pushed item is accounted for");
  }

  private record Ended(int code, String out, String err) {}

  private Ended end(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cmd = DemoService.commandLine(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    cmd.setErr(new java.io.PrintWriter(err));
    int code = cmd.execute(args);
    return new Ended(code, bytes.toString(StandardCharsets.UTF_8), err.toString());
  }

  /**
   * Runs the demo's {@code main} in a child JVM, so its whole standard error is seen: picocli's
   * messages and everything slf4j-simple logs (it binds {@code System.err} when it starts, so an
   * in-process test cannot capture the logs), also what is logged at shutdown, after the tidy
   * line (a Netty {@code RejectedExecutionException} ERROR once was).
   */
  private static Ended endInChild(String... args) {
    try (ChildJvm child = ChildJvm.start(DemoService.class, List.of(), List.of(args))) {
      int code = child.awaitExit(Duration.ofSeconds(60));
      return new Ended(code, child.stdout(), child.stderr());
    }
  }

  /**
   * The child's standard error ends with the demo's one tidy line, with no stack trace, no
   * exception rejected at shutdown, no ERROR logged but {@code allowedError} (the library's own
   * log of a configuration finding, the same text as the tidy line), and no password anywhere.
   */
  private static void assertTidyEnd(Ended e, String allowedError, String password) {
    List<String> lines = e.err().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(e.err()).isNotEmpty();
    assertThat(lines.get(lines.size() - 1)).as("the last line of:%n%s", e.err())
        .startsWith("queuekit demo: ");
    assertThat(lines).as(e.err())
        .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by: "))
        .noneMatch(l -> l.contains("RejectedExecutionException"))
        .noneMatch(l -> l.contains(" ERROR ")
            && (allowedError == null || !l.contains(allowedError)));
    if (password != null) {
      assertThat(e.out() + e.err()).doesNotContain(password);
    }
  }

  @Test
  void aBadConfigEndsWithOneTidyLine() throws Exception {
    java.nio.file.Path ini = data.resolve("bad.ini");
    java.nio.file.Files.writeString(ini, "[queue]\nLENGTH = ten\n");
    Ended e = endInChild("--data", data.toString(), "--config", ini.toString());
    assertThat(e.code()).as(e.err()).isEqualTo(2);
    assertThat(e.err()).contains("bad.ini:2").contains("LENGTH=ten").doesNotContain("Exception");
    assertTidyEnd(e, "bad.ini:2 [queue] LENGTH: LENGTH=ten is not a whole number", null);
    Ended missing = end("--data", data.toString(), "--config", data.resolve("nope.ini").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope.ini: no such file").doesNotContain("\tat ");
  }

  /**
   * Options a user can get wrong end as usage errors (exit 2) naming the option, never as an
   * internal error (70) with a stack trace: each of these did.
   */
  @Test
  void badOptionsAreUsageErrorsNamingTheOption() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      List<List<String>> cases = List.of(
          List.of("--admin", "99999", "--admin 99999: expected [HOST:]PORT with a port of 0..65535"),
          List.of("--admin", "0.0.0.0:0", "--admin 0.0.0.0:0: the admin server would bind to 0.0.0.0"),
          List.of("--admin", "nohost.invalid:0", "does not resolve"),
          List.of("--admin", Integer.toString(taken.getLocalPort()), "cannot listen there"),
          List.of("--search-down", "5", "--search-down 5: \"5\" is not a duration"),
          List.of("--type", "immediate", "--type immediate: "));
      for (List<String> c : cases) {
        Ended e = end("--data", data.toString(), "--items", "10", c.get(0), c.get(1));
        assertThat(e.code()).as("%s %s:%n%s", c.get(0), c.get(1), e.err()).isEqualTo(2);
        assertThat(e.err()).as("%s %s", c.get(0), c.get(1)).contains(c.get(2))
            .doesNotContain("\tat ").doesNotContain("queuekit demo: internal error");
      }
    }
    Ended negative = end("--data", data.toString(), "--items", "-5");
    assertThat(negative.code()).as(negative.err()).isEqualTo(2);
    assertThat(negative.err()).contains("--items -5: the number of pushes cannot be negative");
  }

  @Test
  void anUnreachableRedisEndsWithOneTidyLineAndNoPassword() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Ended e = endInChild("--data", data.toString(), "--redis",
        "redis://:Demo5ecret@127.0.0.1:" + port + "/0");
    assertThat(e.code()).as(e.err()).isEqualTo(3);
    assertThat(e.err()).contains("cannot reach Redis").contains("127.0.0.1:" + port);
    assertTidyEnd(e, null, "Demo5ecret");
  }

  @Test
  void runsOnPostgresAndNeverPrintsThePassword() throws Exception {
    try (io.queuekit.conformance.postgres.PostgresServer pg =
        io.queuekit.conformance.postgres.PostgresServer.start()) {
      String db = pg.createDatabase();
      Ended e = end("--data", data.toString(), "--postgres", pg.connStr(db), "--items", "200",
          "--search-down", "0s");
      assertThat(e.code()).as(e.out() + e.err()).isZero();
      assertThat(e.out() + e.err()).doesNotContain(
          io.queuekit.conformance.postgres.PostgresServer.PASSWORD);
      assertThat(pg.sql(db, "SELECT count(*) FROM queuekit_queue")).isEqualTo("4");
    }
  }

  @Test
  void anUnreachablePostgresEndsWithOneTidyLineAndNoPassword() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Ended e = endInChild("--data", data.toString(), "--postgres",
        "postgres://demo:Demo5ecret@127.0.0.1:" + port + "/demo");
    assertThat(e.code()).as(e.err()).isEqualTo(3);
    assertThat(e.err()).contains("PostgreSQL at").contains("127.0.0.1:" + port);
    assertTidyEnd(e, null, "Demo5ecret");
  }

  /**
   * {@code --help}, {@code -V} and usage errors (picocli's own, and the demo's from {@code call})
   * run no queue, yet the shutdown hook that {@code System.exit} starts waited 30 s for the queues
   * to close. Each child must exit with picocli's code well before that wait would have ended
   * (the deadline is far above a JVM's start, far below the 30 s).
   */
  @Test
  void helpVersionAndUsageErrorsExitPromptlyWithPicocliCodes() {
    List<List<String>> cases = List.of(
        List.of("--help", "0", "Usage: queuekit-demo"),
        List.of("-V", "0", "queuekit-demo "),
        List.of("--items=abc", "2", "Invalid value for option '--items'"),
        List.of("--search-down=5", "2", "--search-down 5: \"5\" is not a duration"));
    for (List<String> c : cases) {
      try (ChildJvm child = ChildJvm.start(DemoService.class, List.of(),
          List.of("--data", data.resolve("never").toString(), c.get(0)))) {
        int code = child.awaitExit(Duration.ofSeconds(20));
        assertThat(code).as("%s:%s", c.get(0), child.describe()).isEqualTo(Integer.parseInt(c.get(1)));
        assertThat(child.stdout() + child.stderr()).as(c.get(0)).contains(c.get(2));
      }
    }
    assertThat(data.resolve("never")).as("no run started").doesNotExist();
  }

  @Test
  void dashCapitalVPrintsTheVersion() {
    Ended e = end("-V");
    assertThat(e.code()).isZero();
    assertThat(e.out()).startsWith("queuekit-demo ");
  }

  /** Ctrl-C during the pushes ends the run there (it waited for every push, then the flush). */
  @Test
  void ctrlCWhilePushingEndsTheRunThere() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    DemoService demo = new DemoService(out);
    java.util.concurrent.CompletableFuture<Integer> run =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> DemoService.commandLine(demo)
            .execute("--type", "channel", "--data", data.toString(), "--items", "100000000",
                "--search-down", "0s"));
    // the first progress line: pushing has begun, and goes on for far longer than this test
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> bytes.toString(StandardCharsets.UTF_8).contains(" handled "));
    demo.stop();
    assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(DemoService.STOPPED);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("stopped by Ctrl-C after").contains("of 100000000 issue-index pushes")
        .doesNotContain("summary:");
  }

  /**
   * The {@code --serve} trickle ran in {@code scheduleAtFixedRate}, which cancels a task for good
   * at its first exception: one Redis outage stopped it silently for the rest of the run. Now a
   * failed push is logged at WARN (once for the outage, the password masked) and the trickle
   * pushes again once Redis is back. The demo runs in a child JVM, whose log is seen whole.
   */
  @Test
  void theServeTrickleSurvivesAStoreOutageAndResumes() throws Exception {
    String password = "Trick1eSecret";
    try (io.queuekit.conformance.redis.RedisServer redis = io.queuekit.conformance.redis.RedisServer
        .builder().password(password).appendOnly().build().start();
        ChildJvm child = ChildJvm.start(DemoService.class, List.of(), List.of("--data",
            data.toString(), "--redis", redis.connStr(), "--items", "20", "--search-down", "0s",
            "--serve"))) {
      child.awaitLine("serving until Ctrl-C", Duration.ofSeconds(120));
      String failed = "--serve: a push failed";
      String resumed = "--serve: pushing again";

      redis.kill();
      org.awaitility.Awaitility.await("the trickle's WARN").atMost(Duration.ofSeconds(60))
          .until(() -> child.stderr().contains(failed));
      redis.restart();
      org.awaitility.Awaitility.await("the trickle pushing again").atMost(Duration.ofSeconds(60))
          .until(() -> child.stderr().contains(resumed));

      List<String> warned = child.stderr().lines().filter(l -> l.contains(failed)).toList();
      assertThat(warned).as(child.describe()).isNotEmpty()
          .allMatch(l -> l.contains("WARN") && l.contains("127.0.0.1:" + redis.port()));
      assertThat(child.stdout() + child.stderr()).as("the password").doesNotContain(password);
    }
  }

  @Test
  void servesTheAdminPageAndMetricsUntilStopped() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    DemoService demo = new DemoService(out);
    java.util.concurrent.CompletableFuture<Integer> run = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        DemoService.commandLine(demo).execute("--type", "channel", "--data", data.toString(), "--items", "100",
            "--search-down", "0s", "--admin", "127.0.0.1:0", "--metrics", "--serve"));
    java.util.regex.Pattern url = java.util.regex.Pattern.compile("admin page: (http://\\S+/) \\(open the login URL in (\\S+):");
    String[] found = new String[2];
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
      java.util.regex.Matcher m = url.matcher(bytes.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        found[0] = m.group(1);
        found[1] = m.group(2);
      }
      return found[0] != null && bytes.toString(StandardCharsets.UTF_8).contains("serving until Ctrl-C");
    });
    // the token is printed nowhere: the operator reads it from the file the demo names
    Path loginFile = Path.of(found[1]);
    assertThat(loginFile).isEqualTo(data.resolve("queuekit-admin-login.txt").toAbsolutePath());
    String loginUrl = Files.readString(loginFile).strip();
    assertThat(loginUrl).startsWith(found[0] + "#token=");
    found[1] = loginUrl.substring((found[0] + "#token=").length());
    assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain(found[1]);
    var http = java.net.http.HttpClient.newHttpClient();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
      try {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(found[0] + path))
            .header("Authorization", "Bearer " + found[1]).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertThat(get.apply("").statusCode()).isEqualTo(200);
    var queues = get.apply("api/queues");
    assertThat(queues.statusCode()).isEqualTo(200);
    assertThat(queues.body()).contains("issue_indexer").contains("webhook_sender");
    var metrics = get.apply("metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("queuekit_queue_handled_total{queue=\"issue_indexer\"");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("queuekit_queue_ready");

    demo.stop();
    assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("stopping:");
  }
}
