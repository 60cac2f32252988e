package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.conformance.CapturedErr;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API against a real manager, and its security rules, over real HTTP. */
class AdminApiTest {

  @TempDir Path data;
  private AdminFixture f;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() {
    f = new AdminFixture(data);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private JsonNode body(HttpResponse<String> r) throws Exception {
    return json.readTree(r.body());
  }

  @Test
  void listsEveryQueueWithItsFiguresAndNoConnectionString() throws Exception {
    HttpResponse<String> r = f.get("/api/queues");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode queues = body(r);
    assertThat(queues).hasSize(2);
    assertThat(queues.findValuesAsText("name")).containsExactlyInAnyOrder("mail", "index");
    assertThat(queues.findValuesAsText("type")).containsExactlyInAnyOrder("channel", "level");
    assertThat(r.body()).doesNotContain("Sup3rSecretPw").doesNotContain("mail-redis").doesNotContainIgnoringCase("connStr");
    assertThat(f.get("/api/queues/mail").body()).doesNotContain("Sup3rSecretPw");
  }

  /**
   * One queue's view checks that queue alone. The check is what remembers a queue's dead-letter
   * count between checks (and warns when it grew): had the view of mail checked index, index's
   * first dead letter after it would show as growth.
   */
  @Test
  void oneQueuesViewDoesNotCheckAnotherQueue() throws Exception {
    assertThat(f.get("/api/queues/mail").statusCode()).isEqualTo(200);
    f.deadLetter(f.index, "bad");
    JsonNode index = body(f.get("/api/queues/index"));
    assertThat(index.path("dead").asLong()).isEqualTo(1);
    assertThat(index.path("warnings")).as("index's first check is this one: no growth seen yet").isEmpty();
    assertThat(index.path("status").asText()).isEqualTo("UP");
  }

  @Test
  void anUnknownQueueIs404() throws Exception {
    HttpResponse<String> r = f.get("/api/queues/nope");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(body(r).path("error").asText()).contains("nope");
  }

  @Test
  void setsMaxWorkersPausesAndResumes() throws Exception {
    assertThat(body(f.post("/api/queues/mail/max-workers", "{\"maxWorkers\": 7}")).path("maxWorkers").asInt()).isEqualTo(7);
    assertThat(f.mail.maxWorkers()).isEqualTo(7);
    assertThat(f.post("/api/queues/mail/max-workers", "{\"maxWorkers\": \"lots\"}").statusCode()).isEqualTo(400);
    assertThat(f.post("/api/queues/mail/max-workers", "not json").statusCode()).isEqualTo(400);

    f.post("/api/queues/index/pause", null);
    assertThat(f.index.paused()).isTrue();
    assertThat(body(f.get("/api/queues/index")).path("paused").asBoolean()).isTrue();
    f.post("/api/queues/index/resume", null);
    assertThat(f.index.paused()).isFalse();
  }

  @Test
  void removeAllNeedsTheQueueNameAsConfirmation() throws Exception {
    f.index.pause();
    for (int i = 0; i < 5; i++) {
      f.index.push("waiting-" + i);
    }
    assertThat(f.post("/api/queues/index/remove-all", "{}").statusCode()).isEqualTo(400);
    assertThat(f.index.len()).isEqualTo(5);
    HttpResponse<String> r = f.post("/api/queues/index/remove-all", "{\"confirm\": \"index\"}");
    assertThat(body(r).path("removed").asLong()).isEqualTo(5);
    assertThat(f.index.len()).isZero();
  }

  @Test
  void flushReportsWhetherTheQueueDrained() throws Exception {
    f.mail.push("hello");
    assertThat(body(f.post("/api/queues/mail/flush", "{\"timeoutSeconds\": 20}")).path("flushed").asBoolean()).isTrue();
    assertThat(f.handled).contains("hello");
  }

  @Test
  void deadLettersGrowingShowAsDegradedWithTheWarning() throws Exception {
    JsonNode before = body(f.get("/api/queues/index"));
    assertThat(before.path("status").asText()).isEqualTo("UP");
    assertThat(before.path("warnings")).isEmpty();

    f.deadLetter(f.index, "grows");

    JsonNode after = body(f.get("/api/queues/index"));
    assertThat(after.path("status").asText()).isEqualTo("DEGRADED");
    assertThat(after.path("healthy").asBoolean()).as("it still works").isTrue();
    assertThat(after.path("warnings").get(0).asText()).contains("dead letter");
  }

  @Test
  void listsReplaysAndPurgesDeadLetters() throws Exception {
    f.deadLetter(f.index, "first");
    f.deadLetter(f.index, "second");
    JsonNode page = body(f.get("/api/queues/index/dead?offset=0&limit=10"));
    assertThat(page.path("total").asLong()).isEqualTo(2);
    assertThat(page.path("entries")).hasSize(2);
    assertThat(page.path("entries").findValuesAsText("reason")).allMatch(r -> r.contains("refused by the test"));
    assertThat(page.path("entries").findValuesAsText("preview")).anyMatch(p -> p.contains("first"));
    assertThat(f.get("/api/queues/index/dead?limit=100000").statusCode()).isEqualTo(400);

    long firstId = -1;
    for (JsonNode e : page.path("entries")) {
      if (e.path("preview").asText().contains("first")) {
        firstId = e.path("id").asLong();
      }
    }
    f.refused.remove("first");
    assertThat(body(f.post("/api/queues/index/dead/replay", "{\"ids\": [" + firstId + "]}")).path("replayed").asLong()).isEqualTo(1);
    assertThat(body(f.get("/api/queues/index")).path("dead").asLong()).as("the page's figure moves at once").isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> f.handled.contains("first"));

    assertThat(f.post("/api/queues/index/dead/purge", "{}").statusCode()).isEqualTo(400);
    assertThat(body(f.post("/api/queues/index/dead/purge", "{\"all\": true}")).path("purged").asLong()).isEqualTo(1);
    assertThat(f.index.deadLetters(0, 10)).isEmpty();
    assertThat(body(f.get("/api/queues/index")).path("dead").asLong()).as("the page's figure moves at once").isZero();
  }

  /**
   * A reason is stored at any length (a stack trace, a handler's whole input): the list shows a
   * bounded prefix and the whole length, so a page of them cannot exhaust the server's memory.
   */
  @Test
  void aLongReasonIsCutInTheListWithItsLength() throws Exception {
    f.reasons.put("long", "x".repeat(300_000));
    f.deadLetter(f.index, "long");
    HttpResponse<String> r = f.get("/api/queues/index/dead?limit=500");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body().length()).as("the response").isLessThan(3_000);
    assertThat(body(r).path("entries").get(0).path("reason").asText())
        .isEqualTo("x".repeat(DeadView.REASON_CHARS) + "…(300000 chars)");
  }

  /** A page longer than the slices it is read in holds each dead letter once, newest first. */
  @Test
  void aPageIsReadInSlicesWithoutGapsOrRepeats() throws Exception {
    int n = DeadView.SLICE * 2 + 5;
    for (int i = 0; i < n; i++) {
      f.refused.add("slice-" + i);
      f.index.push("slice-" + i);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> f.index.stats().dead() == n);
    JsonNode page = body(f.get("/api/queues/index/dead?offset=1&limit=" + (n + 10)));
    assertThat(page.path("entries").findValuesAsText("id")).as("from the second on, every one once, in order")
        .containsExactlyElementsOf(f.index.deadLetters(1, n).stream().map(e -> Long.toString(e.id())).toList());
    assertThat(page.path("entries")).hasSize(n - 1);
  }

  /**
   * Ids that are no dead letter answer 404 naming them and the queue, never "replayed 0" as a
   * success; the others named with them are done, as {@code queuekit dead replay} does.
   */
  @Test
  void replayingOrPurgingIdsThatAreNoDeadLetterIs404NamingThem() throws Exception {
    f.deadLetter(f.index, "replay-me");
    f.deadLetter(f.index, "purge-me");
    long replayId = idOf("replay-me");
    long purgeId = idOf("purge-me");
    f.refused.remove("replay-me");

    HttpResponse<String> replay = f.post("/api/queues/index/dead/replay", "{\"ids\": [" + replayId + ", 999999]}");
    assertThat(replay.statusCode()).isEqualTo(404);
    assertThat(replay.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode r = body(replay);
    assertThat(r.path("error").asText()).isEqualTo("queue \"index\" has no dead letter 999999 "
        + "(replayed or purged already, or never one); replayed 1 other");
    assertThat(r.path("queue").asText()).isEqualTo("index");
    assertThat(r.path("replayed").asLong()).as("the id that is one is replayed all the same").isEqualTo(1);
    assertThat(r.path("missing").toString()).isEqualTo("[999999]");
    await().atMost(Duration.ofSeconds(20)).until(() -> f.handled.contains("replay-me"));

    // replayed already: the same request again names it, and replays nothing
    HttpResponse<String> again = f.post("/api/queues/index/dead/replay", "{\"ids\": [" + replayId + "]}");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(body(again).path("error").asText()).contains("no dead letter " + replayId).endsWith("none replayed");
    assertThat(body(again).path("replayed").asLong()).isZero();

    HttpResponse<String> purge = f.post("/api/queues/index/dead/purge", "{\"ids\": [888888, " + replayId + "]}");
    assertThat(purge.statusCode()).isEqualTo(404);
    assertThat(body(purge).path("error").asText()).isEqualTo("queue \"index\" has no dead letter 888888, " + replayId
        + " (replayed or purged already, or never one); none purged");
    assertThat(body(purge).path("missing").toString()).as("in the order named").isEqualTo("[888888," + replayId + "]");
    assertThat(f.index.deadLetters(0, 10)).as("purge-me stays").extracting(e -> e.id()).containsExactly(purgeId);

    HttpResponse<String> purged = f.post("/api/queues/index/dead/purge", "{\"ids\": [" + purgeId + "]}");
    assertThat(purged.statusCode()).isEqualTo(200);
    assertThat(purged.body()).isEqualTo("{\"purged\":1}");
    assertThat(f.index.deadLetters(0, 10)).isEmpty();
  }

  /** The id of {@code index}'s dead letter holding {@code item}. */
  private long idOf(String item) {
    return f.index.deadLetters(0, 100).stream().filter(e -> e.json().contains(item)).findFirst().orElseThrow().id();
  }

  @Test
  void idsAndAllTogetherAreRefusedNamingTheConflict() throws Exception {
    f.deadLetter(f.index, "kept-1");
    f.deadLetter(f.index, "kept-2");
    long id = f.index.deadLetters(0, 10).get(0).id();
    for (String action : new String[] {"purge", "replay"}) {
      HttpResponse<String> r = f.post("/api/queues/index/dead/" + action, "{\"ids\": [" + id + "], \"all\": true}");
      assertThat(r.statusCode()).as(action).isEqualTo(400);
      assertThat(body(r).path("error").asText()).as(action).contains("\"ids\"").contains("\"all\"").contains("not both");
    }
    HttpResponse<String> notABoolean = f.post("/api/queues/index/dead/purge", "{\"all\": \"yes\"}");
    assertThat(notABoolean.statusCode()).isEqualTo(400);
    assertThat(body(notABoolean).path("error").asText()).contains("\"all\"").contains("\"yes\"");
    assertThat(f.index.deadLetters(0, 10)).as("nothing purged or replayed").hasSize(2);
  }

  @Test
  void fractionalNumbersAreRefusedNamingFieldAndValue() throws Exception {
    f.deadLetter(f.index, "kept");
    long id = f.index.deadLetters(0, 10).get(0).id();
    HttpResponse<String> ids = f.post("/api/queues/index/dead/replay", "{\"ids\": [" + id + ".9]}");
    assertThat(ids.statusCode()).isEqualTo(400);
    assertThat(body(ids).path("error").asText()).contains("ids").contains(id + ".9");
    assertThat(f.index.deadLetters(0, 10)).as("nothing replayed").hasSize(1);

    int before = f.mail.maxWorkers();
    HttpResponse<String> max = f.post("/api/queues/mail/max-workers", "{\"maxWorkers\": 4.7}");
    assertThat(max.statusCode()).isEqualTo(400);
    assertThat(body(max).path("error").asText()).contains("maxWorkers").contains("4.7");
    assertThat(f.mail.maxWorkers()).isEqualTo(before);
    assertThat(body(f.post("/api/queues/mail/max-workers", "{\"maxWorkers\": 4.0}")).path("maxWorkers").asInt())
        .as("a whole number written with a point is still whole").isEqualTo(4);
  }

  @Test
  void aBadFlushTimeoutIsRefusedInsteadOfReplaced() throws Exception {
    for (String bad : new String[] {"\"abc\"", "-5", "2.5", "301"}) {
      HttpResponse<String> r = f.post("/api/queues/mail/flush", "{\"timeoutSeconds\": " + bad + "}");
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(body(r).path("error").asText()).as(bad).contains("timeoutSeconds").contains(bad).contains("0..300");
    }
    assertThat(body(f.post("/api/queues/mail/flush", "{}")).path("flushed").asBoolean()).as("the default, 10 s").isTrue();
  }

  @Test
  void anOffsetBeyondItsRangeSaysTheRange() throws Exception {
    HttpResponse<String> r = f.get("/api/queues/index/dead?offset=99999999999");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).path("error").asText()).contains("offset").contains("0.." + Integer.MAX_VALUE).contains("99999999999");
    HttpResponse<String> word = f.get("/api/queues/index/dead?limit=ten");
    assertThat(word.statusCode()).isEqualTo(400);
    assertThat(body(word).path("error").asText()).contains("limit").contains("whole number").contains("ten");
  }

  @Test
  void maxWorkersBelowOneIsABadRequestNotAnOutage() throws Exception {
    try (CapturedErr err = CapturedErr.start()) {
      for (int n : new int[] {0, -1}) {
        HttpResponse<String> r = f.post("/api/queues/mail/max-workers", "{\"maxWorkers\": " + n + "}");
        assertThat(r.statusCode()).as("maxWorkers " + n).isEqualTo(400);
        assertThat(body(r).path("error").asText()).contains("queue \"mail\": MAX_WORKERS=" + n + " must be at least 1");
      }
      assertThat(err.text()).doesNotContain("WARN");
    }
  }

  @Test
  void unknownPathsAndWrongMethodsAnswerInJson() throws Exception {
    for (String path : new String[] {"/api/nope", "/nope"}) {
      HttpResponse<String> r = f.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type")).as(path)
          .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      assertThat(body(r).path("error").asText()).as(path).contains(path);
    }
    HttpResponse<String> r = f.get("/api/queues/mail/pause");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(body(r).path("error").asText()).contains("POST");
  }

  /**
   * A failure no route expects, an Error too (here the metrics scrape's), answers 500 in JSON
   * naming the request, without its message or stack trace, which are logged once.
   */
  @Test
  void anUnexpectedFailureAnswersInJsonAndIsLoggedOnce() throws Exception {
    Throwable[] failures = {new IllegalStateException("scrape failed for hunter2"),
        new AssertionError("hunter2 broke an invariant"), new OutOfMemoryError("hunter2: Java heap space")};
    for (Throwable failure : failures) {
      try (AdminServer failing = AdminServer.builder(f.manager).token("a-fixed-token-of-length")
          .metrics(() -> {
            if (failure instanceof Error e) {
              throw e;
            }
            throw (RuntimeException) failure;
          }).start();
          CapturedErr err = CapturedErr.start()) {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(failing.url() + "metrics"))
            .header("Authorization", "Bearer a-fixed-token-of-length").build();
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        String name = failure.getClass().getName();
        assertThat(r.statusCode()).as(name).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).as(name)
            .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(body(r).path("error").asText()).as(name).contains("GET /metrics", name, "log");
        assertThat(r.body()).as(name).doesNotContain("hunter2", "\tat ");
        assertThat(err.count("hunter2")).as(name + " logged once: " + err.text()).isEqualTo(1);
        var queues = java.net.http.HttpRequest.newBuilder(java.net.URI.create(failing.url() + "api/queues"))
            .header("Authorization", "Bearer a-fixed-token-of-length").build();
        assertThat(java.net.http.HttpClient.newHttpClient().send(queues, HttpResponse.BodyHandlers.ofString())
            .statusCode()).as("it still serves after " + name).isEqualTo(200);
      }
    }
  }

  @Test
  void anIpv6LiteralIsBracketedOnceInTheUrl() throws Exception {
    for (String host : new String[] {"::1", "[::1]"}) {
      try (AdminServer v6 = AdminServer.builder(f.manager).host(host).start()) {
        assertThat(v6.url()).as(host).isEqualTo("http://[::1]:" + v6.port() + "/");
        assertThat(v6.loginUrl()).as(host).startsWith("http://[::1]:" + v6.port() + "/#token=");
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(v6.url() + "api/queues"))
            .header("Authorization", "Bearer " + v6.token()).build();
        assertThat(java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString())
            .statusCode()).as(host).isEqualTo(200);
      }
    }
  }

  @Test
  void withoutATokenEveryApiAndMetricsRequestIs401() throws Exception {
    for (String path : new String[] {"/api/queues", "/api/queues/mail", "/api/queues/mail/dead", "/metrics"}) {
      HttpResponse<String> r = f.send("GET", path, null, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
      assertThat(r.body()).doesNotContain("mail\",");
    }
    assertThat(f.send("POST", "/api/queues/mail/pause", "{}", null).statusCode()).isEqualTo(401);
    assertThat(f.mail.paused()).isFalse();
  }

  @Test
  void aWrongTokenIs401() throws Exception {
    assertThat(f.send("GET", "/api/queues", null, "Bearer " + f.admin.token() + "x").statusCode()).isEqualTo(401);
    assertThat(f.send("GET", "/api/queues", null, f.admin.token()).statusCode()).isEqualTo(401);
    assertThat(f.send("POST", "/api/queues/mail/pause", null, "Bearer wrong-token-wrong-token").statusCode()).isEqualTo(401);
    assertThat(f.mail.paused()).isFalse();
  }

  @Test
  void aTokenInTheQueryStringIsRefusedEvenWhenRight() throws Exception {
    HttpResponse<String> r = f.send("GET", "/api/queues?token=" + f.admin.token(), null, null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).path("error").asText()).contains("Authorization header");
    assertThat(f.send("POST", "/api/queues/mail/pause?access_token=" + f.admin.token(), "{}",
        "Bearer " + f.admin.token()).statusCode()).isEqualTo(400);
    assertThat(f.mail.paused()).isFalse();
  }

  @Test
  void anActionByGetIsRefused() throws Exception {
    HttpResponse<String> r = f.get("/api/queues/mail/pause");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(f.mail.paused()).isFalse();
    assertThat(f.get("/api/queues/index/remove-all").statusCode()).isEqualTo(405);
  }

  @Test
  void aCookieIsNoCredential() throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.admin.url() + "api/queues"))
        .header("Cookie", "token=" + f.admin.token() + "; Authorization=Bearer " + f.admin.token()).GET().build();
    assertThat(java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    // nor for an action: a browser sends cookies with a cross-site form post
    var action = java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.admin.url() + "api/queues/mail/pause"))
        .header("Cookie", "token=" + f.admin.token() + "; Authorization=Bearer " + f.admin.token())
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
    assertThat(java.net.http.HttpClient.newHttpClient().send(action, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(f.mail.paused()).isFalse();
  }

  @Test
  void thePageIsStaticHoldsNoDataAndForbidsInlineScript() throws Exception {
    HttpResponse<String> page = f.send("GET", "/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("queuekit").doesNotContain("index</td>").doesNotContain(f.admin.token());
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline");
    assertThat(f.send("GET", "/app.js", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAre404WithoutARegistryAndServedWithOne() throws Exception {
    HttpResponse<String> none = f.get("/metrics");
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(body(none).path("error").asText()).contains("Builder.metrics").contains("--metrics");
    try (AdminServer withMetrics = AdminServer.builder(f.manager).token("a-fixed-token-of-length")
        .metrics(() -> "queuekit_queue_ready{queue=\"mail\"} 0\n").start()) {
      var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(withMetrics.url() + "metrics")).header("Authorization", "Bearer a-fixed-token-of-length").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("queuekit_queue_ready");
    }
  }

  @Test
  void aNonLoopbackBindNeedsAnOptIn() {
    assertThat(f.admin.url()).as("the default bind").startsWith("http://127.0.0.1:");
    assertThatThrownBy(() -> AdminServer.builder(f.manager).host("0.0.0.0").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowRemote");
    try (AdminServer remote = AdminServer.builder(f.manager).host("0.0.0.0").allowRemote().start()) {
      assertThat(remote.port()).isPositive();
    }
  }

  @Test
  void aShortConfiguredTokenIsRefused() {
    assertThatThrownBy(() -> AdminServer.builder(f.manager).token("short"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
  }
}
