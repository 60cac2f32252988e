package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The clients a factory shares: one per connection string within a registry, none across
 * registries (no process-wide state), each closed by its last release. Counted on a real server
 * by its connected clients.
 */
class SharedClientsTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void aRegistrySharesOneClientPerStringAndTwoRegistriesShareNothing() {
    RedisConnStr conn = RedisConnStr.parse(redis.server().connStr());
    Resp admin = redis.server().client();
    long before = connected(admin);
    SharedClients one = new SharedClients();
    SharedClients other = new SharedClients();

    SharedClient a = one.acquire(conn, "a", SharedClient.StartPolicy.GITEA);
    SharedClient b = one.acquire(conn, "b", SharedClient.StartPolicy.GITEA);
    SharedClient c = other.acquire(conn, "c", SharedClient.StartPolicy.GITEA);
    assertThat(b).isSameAs(a);
    assertThat(c).isNotSameAs(a);
    await().atMost(Duration.ofSeconds(10)).until(() -> connected(admin) == before + 2);

    a.release(); // b still holds it
    assertThat(a.async.ping().toCompletableFuture().join()).isEqualTo("PONG");
    b.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> connected(admin) == before + 1);
    // the released string opens a new client on next use
    SharedClient again = one.acquire(conn, "a", SharedClient.StartPolicy.GITEA);
    assertThat(again).isNotSameAs(a);
    again.release();
    c.release();
    await().atMost(Duration.ofSeconds(10)).until(() -> connected(admin) == before);
  }

  /**
   * {@code tryOnce} (the CLI's {@link RedisQueueFactory#tryingOnce}): a string that could not be
   * reached fails again at once for the registry's next queue, naming the first and the cause,
   * while another registry, or a policy without it, tries again. Nothing listens on the port.
   */
  @Test
  void aTryOncePolicyDoesNotTryAnUnreachableStringAgain() {
    RedisConnStr dead = RedisConnStr.parse("redis://:s3cr3t@127.0.0.1:"
        + io.queuekit.conformance.redis.RedisServer.freePort() + "/0");
    SharedClients cli = new SharedClients();
    assertThatThrownBy(() -> cli.acquire(dead, "a", SharedClient.StartPolicy.ONCE))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageStartingWith("queue \"a\": cannot reach Redis at " + dead.masked()
            + " (one attempt): ");
    assertThatThrownBy(() -> cli.acquire(dead, "b", SharedClient.StartPolicy.ONCE))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageStartingWith("queue \"b\": not tried again, as for queue \"a\": cannot reach "
            + "Redis at " + dead.masked())
        .hasMessageNotContaining("s3cr3t");

    SharedClient.StartPolicy onceEachTime = new SharedClient.StartPolicy(1, Duration.ZERO);
    SharedClients service = new SharedClients();
    for (String queue : new String[] {"a", "b"}) {
      assertThatThrownBy(() -> service.acquire(dead, queue, onceEachTime))
          .as("without tryOnce each open tries")
          .hasMessageStartingWith("queue \"" + queue + "\": cannot reach Redis");
    }
    // only the string that failed is remembered: another one on the same registry connects
    RedisConnStr live = RedisConnStr.parse(redis.server().connStr());
    cli.acquire(live, "c", SharedClient.StartPolicy.ONCE).release();
  }

  private static long connected(Resp r) {
    return String.valueOf(r.call("INFO", "clients")).lines()
        .filter(l -> l.startsWith("connected_clients:"))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).strip())).sum();
  }
}
