package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.queuekit.conformance.CapturedErr;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@link BackgroundFailures}: a fault is warned once per task until that task succeeds; another
 * task's success does not re-arm it; an outage is not warned at all.
 */
class BackgroundFailuresTest {
  private static String warnings(Runnable r) {
    return CapturedErr.during(r);
  }

  private static int count(String log, String part) {
    return log.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void anErrorIsAFaultNotAnOutage() {
    BackgroundFailures f = new BackgroundFailures("beat group");
    String log = warnings(() -> f.failed("the tick", new NoClassDefFoundError("some/Codec")));
    assertThat(log).contains("WARN").contains("beat group: the tick failed")
        .contains("some/Codec");
  }

  @Test
  void aFaultIsWarnedOncePerTaskUntilThatTaskSucceeds() {
    BackgroundFailures f = new BackgroundFailures("queue \"q\"");
    RedisCommandExecutionException fault = new RedisCommandExecutionException("ERR bad key k");
    String log = warnings(() -> {
      f.failed("the reaper", new CompletionException(fault));
      f.failed("the reaper", fault);
      // another task's success leaves the reaper's warning as it is
      f.succeeded("the promoter");
      f.failed("the reaper", fault);
      // two failing tasks do not take turns re-warning each other
      f.failed("the promoter", new RedisCommandExecutionException("ERR other"));
      f.failed("the reaper", fault);
      f.failed("the promoter", new RedisCommandExecutionException("ERR other"));
    });
    assertThat(count(log, "the reaper failed")).isEqualTo(1);
    assertThat(count(log, "the promoter failed")).isEqualTo(1);
    assertThat(log).contains("queue \"q\": the reaper failed").contains("ERR bad key k");

    String again = warnings(() -> {
      f.succeeded("the reaper");
      f.failed("the reaper", fault);
    });
    assertThat(count(again, "the reaper failed")).isEqualTo(1);
  }

  @Test
  void anOutageIsNotWarned() {
    BackgroundFailures f = new BackgroundFailures("queue \"q\"");
    String log = warnings(() -> {
      f.failed("the reaper", new RedisConnectionException("connection refused"));
      f.failed("the reaper", new RedisCommandExecutionException("LOADING Redis is loading"));
      f.failed("the reaper", new RedisCalls.Unavailable(new RuntimeException("down")));
    });
    assertThat(log).doesNotContain("WARN");
  }
}
