package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.conformance.CapturedErr;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A mistyped key or queue name in queuekit.* is logged at start, once, as the INI reader warns of
 * one in [queue.NAME]; the application still starts.
 */
class PropertyWarningsTest {

  @TempDir Path data;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(QueuekitAutoConfiguration.class))
        .withUserConfiguration(QueuekitAutoConfigurationTest.MailApp.class)
        .withPropertyValues("queuekit.data-path=" + data, "queuekit.queues.mail.type=channel");
  }

  /** What starting (and closing) a context with these properties logged. */
  private String started(String... properties) {
    try (CapturedErr err = CapturedErr.start()) {
      runner().withPropertyValues(properties).run(ctx -> assertThat(ctx).hasNotFailed());
      return err.text();
    }
  }

  @Test
  void aMistypedKeyIsWarnedOfOnceWithTheKeyMeant() {
    String log = started("queuekit.queues.mail.max-worker=8", "queuekit.defaults.retry-dealy=2s");
    assertThat(log).contains("WARN")
        .contains("queuekit.queues.mail.max-worker: unknown key, ignored; did you mean"
            + " queuekit.queues.mail.max-workers (MAX_WORKERS)?")
        .contains("queuekit.defaults.retry-dealy: unknown key, ignored; did you mean"
            + " queuekit.defaults.retry-delay (RETRY_DELAY)?");
    assertThat(log.split("queuekit.queues.mail.max-worker:", -1)).hasSize(2);
  }

  @Test
  void aQueueNameNoQueueUsesIsWarnedOfOnce() {
    String log = started("queuekit.queues.mial.max-workers=8");
    assertThat(log).contains("WARN").contains("queuekit.queues.mial: no queue named \"mial\"")
        .contains("queues: mail");
    assertThat(log.split("no queue named", -1)).hasSize(2);
  }

  @Test
  void aQueueSpecBeansQueueIsInUse() {
    try (CapturedErr err = CapturedErr.start()) {
      runner().withPropertyValues("queuekit.queues.numbers.type=channel")
          .withBean("numbersSpec", QueueSpec.class,
              () -> QueueSpec.simple("numbers", Integer.class, batch -> List.of()))
          .run(ctx -> assertThat(ctx.getBean(QueueManager.class).queue("numbers")).isPresent());
      assertThat(err.text()).doesNotContain("no queue named", "unknown key");
    }
  }

  @Test
  void correctSettingsInEveryRelaxedFormAreNotWarnedOf() {
    String log = started("queuekit.queues.mail.maxWorkers=3", "queuekit.queues.mail.MAX_ITEM_SIZE=2MiB",
        "queuekit.defaults.batch-length=5", "queuekit.queues.mail.consumer-timeout=");
    assertThat(log).doesNotContain("unknown key", "no queue named");
  }

  /** An admin key Spring's binder would ignore is warned of as a queue key is, with the key meant. */
  @Test
  void aMistypedAdminKeyIsWarnedOfWithTheKeyMeant() {
    String log = started("queuekit.admin.enabeld=true", "queuekit.admin.tokn=spring-admin-token-123",
        "queuekit.admin.colour=red");
    assertThat(log).contains("WARN")
        .contains("queuekit.admin.enabeld: unknown key, ignored; did you mean queuekit.admin.enabled?")
        .contains("queuekit.admin.tokn: unknown key, ignored; did you mean queuekit.admin.token?")
        .contains("queuekit.admin.colour: unknown key, ignored (the admin keys: enabled, host, port, token,"
            + " login-url-file, allow-remote)")
        .doesNotContain("spring-admin-token-123");
    assertThat(log.split("queuekit.admin.tokn:", -1)).hasSize(2);
  }

  @Test
  void correctAdminKeysInEveryRelaxedFormAreNotWarnedOf() {
    String log = started("queuekit.admin.enabled=false", "queuekit.admin.loginUrlFile=" + data.resolve("login"),
        "queuekit.admin.allow-remote=false", "queuekit.admin.PORT=0", "queuekit.admin.host=127.0.0.1");
    assertThat(log).doesNotContain("unknown key");
  }
}
