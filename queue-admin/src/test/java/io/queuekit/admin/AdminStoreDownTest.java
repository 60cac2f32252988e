package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuekit.conformance.redis.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue's store stopped under a running service (a real redis-server killed): that queue still
 * shows, DOWN, since when and why, its store counts unknown and this process's own counters
 * known; the other queues are unaffected.
 * Before, one unreadable queue made every view of the API answer 503.
 */
class AdminStoreDownTest {

  private static final String PASSWORD = "Adm1n-R3dis-Pw";

  @TempDir Path data;
  private final ObjectMapper json = new ObjectMapper();

  private JsonNode body(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain(PASSWORD);
    return json.readTree(r.body());
  }

  private static JsonNode named(JsonNode queues, String name) {
    for (JsonNode q : queues) {
      if (q.path("name").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no queue " + name + " in " + queues);
  }

  @Test
  void aQueueWhoseStoreIsDownStillShowsWithItsHealthAndTheOthersStandAlone() throws Exception {
    try (RedisServer redis = RedisServer.builder().password(PASSWORD).build().start();
        AdminFixture f = new AdminFixture(data, redis.connStr())) {
      f.indexer.push("handled-first");
      await().atMost(Duration.ofSeconds(20)).until(() -> f.indexer.stats().handled() == 1);
      f.indexer.pause(); // so the next item stays waiting
      f.indexer.push("waiting");
      JsonNode up = named(body(f.get("/api/queues")), "issue_indexer");
      assertThat(up.path("status").asText()).isEqualTo("UP");
      assertThat(up.path("countsKnown").asBoolean()).isTrue();
      assertThat(up.path("ready").isNumber()).isTrue();

      redis.kill();

      await().atMost(Duration.ofSeconds(30)).until(() ->
          named(body(f.get("/api/queues")), "issue_indexer").path("status").asText().equals("DOWN"));
      JsonNode queues = body(f.get("/api/queues"));
      assertThat(queues).hasSize(3);
      JsonNode down = named(queues, "issue_indexer");
      assertThat(down.path("healthy").asBoolean()).isFalse();
      assertThat(down.path("unreachableSince").asText()).isNotBlank();
      assertThat(down.path("problem").asText()).contains("unavailable").contains("****");
      assertThat(down.path("type").asText()).isEqualTo("redis");
      assertThat(down.path("countsKnown").asBoolean()).isFalse();
      for (String count : new String[] {"ready", "delayed", "inFlight", "dead", "deadDropped"}) {
        assertThat(down.path(count).isNull()).as(count + " is unknown, not zero: " + down).isTrue();
      }
      assertThat(down.path("maxWorkers").asInt()).as("what the process itself knows still shows").isPositive();
      assertThat(down.path("handled").isNumber()).as("this process's own counters still show: " + down).isTrue();
      assertThat(down.path("handled").asLong()).isEqualTo(1);
      for (String count : new String[] {"unhandled", "deadLettered", "recovered"}) {
        assertThat(down.path(count).isNumber()).as(count + " is this process's own: " + down).isTrue();
      }

      JsonNode mail = named(queues, "mail");
      assertThat(mail.path("status").asText()).isEqualTo("UP");
      assertThat(mail.path("countsKnown").asBoolean()).isTrue();
      assertThat(mail.path("ready").asLong()).isZero();

      HttpResponse<String> one = f.get("/api/queues/mail");
      assertThat(one.body()).doesNotContain("issue_indexer");
      assertThat(body(one).path("status").asText()).isEqualTo("UP");
      JsonNode alone = body(f.get("/api/queues/issue_indexer"));
      assertThat(alone.path("status").asText()).isEqualTo("DOWN");
      assertThat(alone.path("unreachableSince").asText()).isEqualTo(down.path("unreachableSince").asText());
      assertThat(alone.path("handled").asLong()).isEqualTo(1);

      redis.restart();
      await().atMost(Duration.ofSeconds(30)).until(() ->
          body(f.get("/api/queues/issue_indexer")).path("status").asText().equals("UP"));
      JsonNode back = body(f.get("/api/queues/issue_indexer"));
      assertThat(back.path("countsKnown").asBoolean()).isTrue();
      assertThat(back.path("unreachableSince").isNull()).isTrue();
      assertThat(back.path("handled").asLong()).isEqualTo(1);
    }
  }

  /**
   * One queue's view checks that queue alone, so it does not wait on another queue's store that
   * is down. Seen through the outage's start: the check that first finds a store down records
   * since when, so a view of mail that checked issue_indexer would have recorded it.
   */
  @Test
  void oneQueuesViewDoesNotCheckAnotherQueueWhoseStoreIsDown() throws Exception {
    try (RedisServer redis = RedisServer.builder().password(PASSWORD).build().start();
        AdminFixture f = new AdminFixture(data, redis.connStr())) {
      redis.kill();
      // the queue itself (not a health check) sees its store gone
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        try {
          f.indexer.stats();
          return false;
        } catch (io.queuekit.QueueException e) {
          return true;
        }
      });

      assertThat(body(f.get("/api/queues/mail")).path("status").asText()).isEqualTo("UP");
      Instant afterMailView = Instant.now();

      JsonNode down = body(f.get("/api/queues/issue_indexer"));
      assertThat(down.path("status").asText()).isEqualTo("DOWN");
      assertThat(Instant.parse(down.path("unreachableSince").asText()))
          .as("the outage was first seen by issue_indexer's own view, not by mail's")
          .isAfterOrEqualTo(afterMailView);
    }
  }
}
