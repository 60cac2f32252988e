package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.netty.util.concurrent.EventExecutor;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.redis.RedisServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Shutting a client down after a failed connect: the handshake timeout that connect left on
 * Lettuce's timer must not run after the I/O threads ended (Netty logs that as an ERROR with a
 * trace, after the queue's own tidy error; the demo's unreachable-Redis exit once showed it).
 */
class SharedClientShutdownTest {

  @Test
  void aHandshakeTimeoutQueuedAtShutdownRunsWhileTheIoThreadsLive() throws Exception {
    int port = RedisServer.freePort(); // nothing listens: the connect is refused
    RedisConnStr conn = RedisConnStr.parse(
        "redis://127.0.0.1:" + port + "/0?dialtimeout=50ms&readtimeout=50ms");
    Set<Thread> before = ioThreads(); // other tests' clients may still run in this JVM
    ClientResources resources = SharedClient.newResources(conn);
    AbstractRedisClient client = SharedClient.newClient(conn, resources);
    // the event executors are held, as a starved machine holds them: the handshake timeout's task
    // waits in their queues until shutdown has begun
    CountDownLatch release = new CountDownLatch(1);
    for (EventExecutor e : resources.eventExecutorGroup()) {
      e.execute(() -> {
        try {
          release.await();
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertThatThrownBy(() -> ((RedisClient) client).connect(ByteArrayCodec.INSTANCE))
        .isInstanceOf(RedisConnectionException.class);
    CountDownLatch later = new CountDownLatch(1); // the timer fires in deadline order
    resources.timer().newTimeout(t -> later.countDown(), 400, TimeUnit.MILLISECONDS);
    assertThat(later.await(10, TimeUnit.SECONDS)).as("the timer passed the handshake timeout")
        .isTrue();

    try (CapturedErr err = CapturedErr.start()) {
      Thread closer = new Thread(() -> SharedClient.shutdown(client, resources), "closer");
      closer.start();
      try {
        // the old order ended the I/O threads at once, the held task still queued
        await().pollDelay(Duration.ZERO).atMost(Duration.ofMillis(700))
            .until(() -> ioThreadsBut(before) == 0);
      } catch (ConditionTimeoutException stillAlive) {
        // the fixed order: they live until the executors have run what they hold
      }
      release.countDown();
      closer.join(10_000);
      assertThat(closer.isAlive()).as("shutdown returned").isFalse();
      assertThat(err.text()).doesNotContain("RejectedExecutionException")
          .doesNotContain(" ERROR ");
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> resources.eventExecutorGroup().isTerminated() && ioThreadsBut(before) == 0);
  }

  @Test
  void aClosingThreadThatIsInterruptedStillEndsTheIoThreads() throws Exception {
    try (RedisServer server = RedisServer.startPlain()) {
      RedisConnStr conn = RedisConnStr.parse(server.connStr());
      Set<Thread> before = ioThreads();
      ClientResources resources = SharedClient.newResources(conn);
      AbstractRedisClient client = SharedClient.newClient(conn, resources);
      ((RedisClient) client).connect(ByteArrayCodec.INSTANCE).sync().ping();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean stillInterrupted = new AtomicBoolean();
      // a service's shutdown hook or a pool thread being stopped closes its queues interrupted:
      // the client's own shutdown threw at once, and the resources' I/O threads stayed
      Thread closer = new Thread(() -> {
        Thread.currentThread().interrupt();
        try {
          SharedClient.shutdown(client, resources);
        } catch (RuntimeException e) {
          thrown.set(e);
        }
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }, "closer");
      closer.start();
      closer.join(10_000);
      assertThat(closer.isAlive()).as("shutdown returned").isFalse();
      assertThat(thrown.get()).as("shutdown threw").isNull();
      assertThat(stillInterrupted.get()).as("the interrupt is kept for the caller").isTrue();
      await().atMost(Duration.ofSeconds(10)).until(
          () -> resources.eventExecutorGroup().isTerminated() && ioThreadsBut(before) == 0);
    }
  }

  private static Set<Thread> ioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("lettuce-nioEventLoop")
            || t.getName().startsWith("lettuce-epollEventLoop"))
        .filter(Thread::isAlive).collect(Collectors.toSet());
  }

  /** This test's client's I/O threads still alive: those not running {@code before} it. */
  private static long ioThreadsBut(Set<Thread> before) {
    return ioThreads().stream().filter(t -> !before.contains(t)).count();
  }
}
