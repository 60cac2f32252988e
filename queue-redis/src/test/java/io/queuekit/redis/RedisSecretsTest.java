package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServer;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated passwords (holding {@code / @ : & ? # % ;} and non-ASCII) in every Redis
 * connection-string form never show where the backend itself prints: the exception of a connect
 * to a closed port (message and whole stack trace), the retry WARN logged between attempts, the
 * settings dump, and the error of a string start-up refuses. Real code paths, no mocks: the
 * connects really fail against a port nothing listens on.
 */
class RedisSecretsTest {
  private static final String SPECIAL = "/@:&?#%;";
  private static final String PLAIN = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZüé€字";
  private static final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor();
  /** Two attempts, so one retry WARN is logged per connect. */
  private static final RedisQueueFactory factory =
      RedisQueueFactory.withStartRetries(2, Duration.ofMillis(1));

  /** Forms that connect (or are refused first) with HOST for 127.0.0.1:closed-port, PW the password. */
  private static final List<String> FORMS = List.of(
      "redis://:PW@HOST/0",
      "redis://user:PW@HOST/0",
      "redis://PW@HOST/0",
      "rediss://u:PW@HOST/0",
      "redis://HOST/0?password=PW&db=1",
      "redis+cluster://:PW@HOST",
      "redis+sentinel://:PW@HOST/0?mastername=m&sentinelpassword=PW",
      "addrs=HOST db=0 password=PW",
      "network=tcp,addr=HOST,password=PW,db=0");

  /** Forms start-up must refuse before connecting anywhere. */
  private static final List<String> REFUSED = List.of(
      "redis//:PW@HOST/0",
      "redis://:PW@HOST/abc",
      "redis://:PW@127.0.0.1:notaport/0",
      "redis+sentinel://:PW@HOST/0?sentinelpassword=PW",
      "redis+cluster://:PW@HOST/3");

  @AfterAll
  static void stop() {
    scheduler.shutdownNow();
  }

  static Stream<Arguments> passwords() {
    long master = new Random().nextLong();
    Random r = new Random(master);
    // connects are the slow part: a few passwords, each through every form
    return IntStream.range(0, 6).mapToObj(i -> {
      StringBuilder b = new StringBuilder();
      int n = 6 + r.nextInt(10);
      for (int k = 0; k < n; k++) {
        b.append(r.nextInt(3) == 0 ? SPECIAL.charAt(r.nextInt(SPECIAL.length()))
            : PLAIN.charAt(r.nextInt(PLAIN.length())));
      }
      b.setCharAt(r.nextInt(n), SPECIAL.charAt(r.nextInt(SPECIAL.length())));
      return Arguments.of(master, i, b.toString());
    });
  }

  @ParameterizedTest(name = "seed {0} #{1}")
  @MethodSource("passwords")
  void aFailingConnectNeverPrintsThePassword(long seed, int i, String password) {
    String host = "127.0.0.1:" + RedisServer.freePort();
    for (String form : FORMS) {
      String pw = fit(form, password);
      if (form.contains("://")) {
        // a raw / or ? ends the authority, so the string names another host (as in Go's URL
        // parser): a DNS lookup, not the closed port; ConnStringsTest masks those forms
        pw = pw.replace('/', 'x').replace('?', 'x');
      }
      String conn = form.replace("HOST", host).replace("PW", pw);
      String where = String.format("seed %d #%d: %s", seed, i, conn);
      QueueSettings s = QueueSettings.builder().type("redis").connStr(conn).build();
      assertThat(s.toString()).as(where).doesNotContain(pw);
      Throwable thrown;
      String logged;
      try (CapturedErr log = CapturedErr.start()) {
        try (BaseQueue q = open(s)) {
          throw new AssertionError(where + ": connected to a closed port");
        } catch (QueueException e) {
          thrown = e;
        }
        logged = log.text();
      }
      assertThat(logged).as(where + " (log)").doesNotContain(pw);
      assertThat(stackTrace(thrown)).as(where + " (exception)").doesNotContain(pw);
      if (thrown instanceof io.queuekit.QueueUnavailableException) {
        // the connect really ran: one retry was logged, naming the masked address
        assertThat(logged).as(where).contains("WARN").contains("attempt 1 of 2").contains("****");
      }
    }
  }

  @ParameterizedTest(name = "seed {0} #{1}")
  @MethodSource("passwords")
  void aStringStartUpRefusesNeverPrintsThePassword(long seed, int i, String password) {
    String host = "127.0.0.1:" + RedisServer.freePort();
    for (String form : REFUSED) {
      String pw = fit(form, password).replace('/', 'x').replace('?', 'x').replace('#', 'x');
      String conn = form.replace("HOST", host).replace("PW", pw);
      QueueSettings s = QueueSettings.builder().type("redis").connStr(conn).build();
      String where = String.format("seed %d #%d: %s", seed, i, conn);
      assertThatThrownBy(() -> factory.validate("redis", "mail", s)).as(where)
          .isInstanceOf(QueueConfigException.class)
          .satisfies(e -> assertThat(stackTrace(e)).as(where).doesNotContain(pw));
    }
  }

  /** Keeps the password what the form's reader takes as one piece. */
  private static String fit(String form, String password) {
    String pw = password;
    if (form.contains("://PW@")) {
      pw = pw.replace(':', 'x'); // with a ':' it would be user:password, not a lone password
    }
    if (form.contains(",") || form.contains(" db=")) {
      pw = pw.replace(',', 'x'); // the old key=value forms split at commas and blanks
    }
    return pw;
  }

  private static BaseQueue open(QueueSettings s) {
    return factory.create("redis", new BaseQueueConfig(Queues.uniqueName("secret"), s, false,
        MutableClock.atEpoch2026(), scheduler, Path.of("target")));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
