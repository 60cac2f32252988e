package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.Setting;
import io.queuekit.WorkerPoolQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class QueuekitAutoConfigurationTest {

  @TempDir Path data;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(QueuekitAutoConfiguration.class))
        .withPropertyValues("queuekit.data-path=" + data);
  }

  record Mail(String to) {}

  static class Mailer {
    final Set<String> sent = ConcurrentHashMap.newKeySet();

    @QueueHandler("mail")
    void send(List<Mail> batch) {
      batch.forEach(m -> sent.add(m.to()));
    }
  }

  static class Signup {
    final WorkerPoolQueue<Mail> mail;

    Signup(@Qualifier("mail") WorkerPoolQueue<Mail> mail) {
      this.mail = mail;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class MailApp {
    @Bean Mailer mailer() { return new Mailer(); }
    @Bean Signup signup(@Qualifier("mail") WorkerPoolQueue<Mail> mail) { return new Signup(mail); }
  }

  /** The outermost queuekit configuration error in a start-up failure's cause chain. */
  private static Throwable configError(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.queuekit.QueueConfigException) {
        return t;
      }
    }
    throw new AssertionError("no QueueConfigException in the start-up failure", failure);
  }

  @Test
  void aManagerOnTheDataPathWithTheDefaults() {
    runner().run(ctx -> {
      assertThat(ctx).hasSingleBean(QueueManager.class);
      QueueManager m = ctx.getBean(QueueManager.class);
      assertThat(m.dataPath()).isEqualTo(data);
      assertThat(m.settings("anything").type()).isEqualTo("level");
    });
  }

  @Test
  void perQueueAndDefaultSettingsBindRelaxedAndLayer() {
    runner().withPropertyValues(
            "queuekit.defaults.max-workers=3",
            "queuekit.defaults.batch-debounce=250ms",
            "queuekit.queues.mail.maxWorkers=7",
            "queuekit.queues.mail.MAX_ITEM_SIZE=2MiB",
            "queuekit.queues.mail.type=channel")
        .run(ctx -> {
          QueueManager m = ctx.getBean(QueueManager.class);
          assertThat(m.settings("mail").maxWorkers()).isEqualTo(7);
          assertThat(m.settings("mail").type()).isEqualTo("channel");
          assertThat(m.settings("mail").maxItemSize()).isEqualTo(2 * 1024 * 1024);
          assertThat(m.settings("mail").batchDebounce()).isEqualTo(Duration.ofMillis(250));
          assertThat(m.settings("other").maxWorkers()).isEqualTo(3);
          assertThat(m.settings("other").type()).isEqualTo("level");
        });
  }

  @Test
  void aBadValueStopsStartUpNamingThePropertyWithTheIniMessage() {
    runner().withPropertyValues("queuekit.queues.mail.max-workers=lots").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(configError(ctx.getStartupFailure()))
          .hasMessageContaining("queuekit.queues.mail.max-workers")
          .hasMessageContaining("MAX_WORKERS")
          .hasMessageContaining("lots");
    });
  }

  @Test
  void aSettingNoBackendHonoursStopsStartUpNamingTheProperty() {
    runner().withPropertyValues("queuekit.queues.mail.type=channel", "queuekit.queues.mail.durability=aof")
        .run(ctx -> assertThat(configError(ctx.getStartupFailure()))
            .hasMessageStartingWith("queuekit.queues.mail.durability: queue \"mail\": DURABILITY=aof"));
  }

  @Test
  void everyQueueOfTheIniFileIsCheckedWithThePropertiesLaidOverIt() throws Exception {
    Path ini = data.resolve("app.ini");
    Files.writeString(ini, "[queue.hooks]\nTYPE = channel\n[queue.mail]\nCONN_STR = leveldb://queues/mail\n");
    // queuekit.defaults reaches hooks, which no property names and no code creates
    runner().withPropertyValues("queuekit.ini=" + ini, "queuekit.defaults.global-max-workers=2")
        .run(ctx -> assertThat(configError(ctx.getStartupFailure())).hasMessageStartingWith(
            "queuekit.defaults.global-max-workers: queue \"hooks\": GLOBAL_MAX_WORKERS=2"));
    // a TYPE property choosing a backend that refuses the file's CONN_STR names the TYPE property
    runner().withPropertyValues("queuekit.ini=" + ini, "queuekit.queues.mail.type=redis")
        .run(ctx -> assertThat(configError(ctx.getStartupFailure())).hasMessageStartingWith(
            "queuekit.queues.mail.type: TYPE=redis: queue \"mail\": CONN_STR leveldb://queues/mail"));
  }

  @Test
  void anEmptyValueIsNotSetSoTheLayerBelowApplies() throws Exception {
    int builtIn = io.queuekit.QueueConfig.defaults().settings("mail").maxWorkers();
    runner().withPropertyValues("queuekit.defaults.max-workers=", "queuekit.queues.mail.batch-debounce= ")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          QueueManager m = ctx.getBean(QueueManager.class);
          assertThat(m.settings("mail").maxWorkers()).isEqualTo(builtIn);
          assertThat(m.settings("mail").batchDebounce()).isEqualTo(Duration.ofMillis(100));
        });
    // the layer below an empty queuekit.queues.NAME value is queuekit.defaults, then the INI file
    Path ini = data.resolve("app.ini");
    Files.writeString(ini, "[queue.mail]\nMAX_WORKERS = 2\nBATCH_LENGTH = 7\n");
    runner().withPropertyValues("queuekit.ini=" + ini, "queuekit.defaults.batch-length=5",
            "queuekit.queues.mail.max-workers=", "queuekit.queues.mail.batch-length=")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(QueueManager.class).settings("mail").maxWorkers()).isEqualTo(2);
          assertThat(ctx.getBean(QueueManager.class).settings("mail").batchLength()).isEqualTo(5);
        });
  }

  @Test
  void anIniFileIsReadAsTheBuilderReadsItAndPropertiesOverrideIt() throws Exception {
    Path ini = data.resolve("app.ini");
    Files.writeString(ini, "[queue]\nMAX_WORKERS = 2\n\n[queue.mail]\nTYPE = channel\nBATCH_LENGTH = 5\n");
    runner().withPropertyValues("queuekit.ini=" + ini, "queuekit.queues.mail.batch-length=9").run(ctx -> {
      QueueManager m = ctx.getBean(QueueManager.class);
      assertThat(m.settings("mail").type()).isEqualTo("channel");
      assertThat(m.settings("mail").batchLength()).isEqualTo(9);
      assertThat(m.settings("mail").maxWorkers()).isEqualTo(2);
    });
  }

  @Test
  void aBrokenIniFileStopsStartUpNamingFileAndLine() throws Exception {
    Path ini = data.resolve("app.ini");
    Files.writeString(ini, "[queue]\nLENGTH = many\n");
    runner().withPropertyValues("queuekit.ini=" + ini).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(configError(ctx.getStartupFailure())).hasMessageContaining("app.ini");
    });
  }

  @Test
  void aHandlerMethodMakesAQueueInjectableByNameThatHandlesItems() {
    runner().withPropertyValues("queuekit.queues.mail.type=channel").withUserConfiguration(MailApp.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      Signup signup = ctx.getBean(Signup.class);
      assertThat(signup.mail.name()).isEqualTo("mail");
      assertThat(signup.mail.push(new Mail("ada@example.com"))).isEqualTo(PushResult.ADDED);
      Mailer mailer = ctx.getBean(Mailer.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> mailer.sent.contains("ada@example.com"));
    });
  }

  @Test
  void twoHandlersForOneQueueAreRefusedNamingBoth() {
    class Other {
      @QueueHandler("mail")
      void also(List<Mail> batch) {}
    }
    runner().withUserConfiguration(MailApp.class).withBean("other", Other.class, Other::new).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(configError(ctx.getStartupFailure()))
          .hasMessageContaining("two @QueueHandler methods").hasMessageContaining("Mailer.send");
    });
  }

  @Test
  void aQueueSpecBeanIsCreatedAtStartAndReachableByName() {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    runner().withPropertyValues("queuekit.queues.numbers.type=channel")
        .withBean("numbersSpec", QueueSpec.class, () -> QueueSpec.simple("numbers", Integer.class, batch -> {
          seen.addAll(batch);
          return List.of();
        }))
        .run(ctx -> {
          @SuppressWarnings("unchecked")
          WorkerPoolQueue<Integer> q = (WorkerPoolQueue<Integer>) ctx.getBean("numbers", WorkerPoolQueue.class);
          q.push(41);
          q.push(42);
          await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsAll(Set.of(41, 42)));
        });
  }

  @Test
  void closingTheContextClosesTheQueuesGracefully() {
    WorkerPoolQueue<?>[] kept = new WorkerPoolQueue<?>[1];
    runner().withPropertyValues("queuekit.queues.mail.type=channel").withUserConfiguration(MailApp.class)
        .run(ctx -> kept[0] = ctx.getBean(Signup.class).mail);
    @SuppressWarnings("unchecked")
    WorkerPoolQueue<Mail> mail = (WorkerPoolQueue<Mail>) kept[0];
    assertThatThrownBy(() -> mail.push(new Mail("late@example.com"))).isInstanceOf(QueueClosedException.class);
  }

  @Test
  void healthReportsEveryQueueAndGoesDownWithItsProblem() {
    runner().withPropertyValues("queuekit.queues.mail.type=channel", "queuekit.health-max-waiting-age=1ms")
        .withUserConfiguration(MailApp.class)
        .run(ctx -> {
          HealthIndicator health = ctx.getBean("queuekitHealthIndicator", HealthIndicator.class);
          Health h = health.health();
          assertThat(queues(h.getDetails())).containsKey("mail");
          assertThat(h.getDetails()).containsEntry("queuekitStatus", "UP").doesNotContainKey("reasons");
          ctx.getBean(QueueManager.class).pause("mail");
          ctx.getBean(Signup.class).mail.push(new Mail("waiting@example.com"));
          await().atMost(Duration.ofSeconds(10)).until(() -> health.health().getStatus().equals(Status.DOWN));
          assertThat(queues(health.health().getDetails()).get("mail").toString())
              .contains("oldest waiting item");
          assertThat(health.health().getDetails()).containsEntry("queuekitStatus", "DOWN");
          assertThat(health.health().getDetails().get("reasons").toString())
              .contains("queue \"mail\": oldest waiting item");
        });
  }

  @Test
  void aQueueNamedLikeAHealthDetailKeepsItsOwnDetail() {
    runner().withPropertyValues("queuekit.queues.reasons.type=channel",
            "queuekit.queues.queues.type=channel")
        .run(ctx -> {
          QueueManager m = ctx.getBean(QueueManager.class);
          m.createSimple("reasons", String.class, b -> List.of());
          m.createSimple("queues", String.class, b -> List.of());
          Map<String, Object> details = ctx.getBean("queuekitHealthIndicator", HealthIndicator.class)
              .health().getDetails();
          assertThat(details).containsEntry("queuekitStatus", "UP");
          assertThat(queues(details)).containsOnlyKeys("reasons", "queues");
        });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> queues(Map<String, Object> healthDetails) {
    return (Map<String, Object>) healthDetails.get("queues");
  }

  static class Hooks {
    final List<io.queuekit.Delivered<Mail>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    @QueueHandler("hooks")
    List<io.queuekit.Delivered<Mail>> send(List<io.queuekit.Delivered<Mail>> batch) {
      seen.addAll(batch);
      return batch.get(0).deliveryCount() == 0 ? batch : List.of(); // handled on the retry
    }
  }

  @Test
  void aHandlerMethodTakingDeliveredItemsLearnsEachDelivery() {
    runner().withBean(Hooks.class)
        .withPropertyValues("queuekit.queues.hooks.type=channel", "queuekit.queues.hooks.retry-delay=0")
        .run(ctx -> {
          @SuppressWarnings("unchecked")
          WorkerPoolQueue<Mail> q = (WorkerPoolQueue<Mail>) ctx.getBean("hooks", WorkerPoolQueue.class);
          assertThat(q.itemType()).isEqualTo(Mail.class);
          q.push(new Mail("x@example.com"));
          Hooks hooks = ctx.getBean(Hooks.class);
          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
              .until(() -> q.stats().handled() == 1);
          assertThat(hooks.seen).extracting(io.queuekit.Delivered::item)
              .containsOnly(new Mail("x@example.com"));
          assertThat(hooks.seen).extracting(io.queuekit.Delivered::deliveryCount).containsExactly(0, 1);
          assertThat(hooks.seen).extracting(io.queuekit.Delivered::deliveryId).doesNotHaveDuplicates();
        });
  }

  @Test
  void noHealthContributorWithoutActuatorsHealthSupport() {
    runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(ctx -> assertThat(ctx).doesNotHaveBean("queuekitHealthIndicator").hasSingleBean(QueueManager.class));
  }

  @Test
  void theAdminPageStartsWhenEnabledAndAnswersOnlyWithItsToken() {
    runner().withPropertyValues("queuekit.admin.enabled=true", "queuekit.admin.token=spring-admin-token-123")
        .withUserConfiguration(MailApp.class).withPropertyValues("queuekit.queues.mail.type=channel")
        .run(ctx -> {
          io.queuekit.admin.AdminServer admin = ctx.getBean(io.queuekit.admin.AdminServer.class);
          var http = java.net.http.HttpClient.newHttpClient();
          var uri = java.net.URI.create(admin.url() + "api/queues");
          var ok = http.send(java.net.http.HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer spring-admin-token-123").build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(ok.body()).contains("\"mail\"");
          var refused = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
          assertThat(refused.statusCode()).isEqualTo(401);
        });
  }

  @Test
  void aGeneratedAdminTokensLoginUrlIsInTheDataPathOrTheFileConfigured() {
    runner().withPropertyValues("queuekit.admin.enabled=true")
        .run(ctx -> {
          io.queuekit.admin.AdminServer admin = ctx.getBean(io.queuekit.admin.AdminServer.class);
          Path file = data.resolve("queuekit-admin-login.txt").toAbsolutePath();
          assertThat(admin.loginUrlFile()).contains(file);
          assertThat(Files.readString(file)).isEqualTo(admin.loginUrl() + "\n");
        });
    Path configured = data.resolve("run/admin-login");
    runner().withPropertyValues("queuekit.admin.enabled=true", "queuekit.admin.login-url-file=" + configured)
        .run(ctx -> {
          io.queuekit.admin.AdminServer admin = ctx.getBean(io.queuekit.admin.AdminServer.class);
          assertThat(admin.loginUrlFile()).contains(configured.toAbsolutePath());
          assertThat(Files.readString(configured)).isEqualTo(admin.loginUrl() + "\n");
        });
    assertThat(configured).as("deleted when the context closes").doesNotExist();
  }

  /** The page is on when the property binds to true, as QueuekitProperties binds it, and off when it binds to false. */
  @Test
  void theAdminPageIsOnForEveryTrueSpellingAndOffForEveryFalseOne() {
    for (String on : new String[] {"yes", "on", "TRUE", "1"}) {
      runner().withPropertyValues("queuekit.admin.enabled=" + on, "queuekit.admin.token=spring-admin-token-123")
          .run(ctx -> {
            assertThat(ctx).as(on).hasSingleBean(io.queuekit.admin.AdminServer.class);
            assertThat(ctx.getBean(QueuekitProperties.class).getAdmin().isEnabled()).as(on).isTrue();
          });
    }
    for (String off : new String[] {"no", "off", "false", "0"}) {
      runner().withPropertyValues("queuekit.admin.enabled=" + off)
          .run(ctx -> assertThat(ctx).as(off).hasNotFailed().doesNotHaveBean(io.queuekit.admin.AdminServer.class));
    }
  }

  @Test
  void noAdminPageUnlessEnabledOrWithoutQueueAdmin() {
    runner().run(ctx -> assertThat(ctx).doesNotHaveBean(io.queuekit.admin.AdminServer.class));
    runner().withPropertyValues("queuekit.admin.enabled=true")
        .withClassLoader(new FilteredClassLoader(io.queuekit.admin.AdminServer.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("queuekitAdminServer"));
  }

  @Test
  void aMicrometerBinderWhenQueueMicrometerIsPresent() {
    runner().withPropertyValues("queuekit.queues.mail.type=channel").withUserConfiguration(MailApp.class)
        .run(ctx -> {
          io.queuekit.micrometer.QueuekitMetrics metrics = ctx.getBean(io.queuekit.micrometer.QueuekitMetrics.class);
          var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
          metrics.bindTo(registry);
          assertThat(registry.get("queuekit.queue.ready").tag("queue", "mail").gauge()).isNotNull();
        });
    runner().withClassLoader(new FilteredClassLoader(io.queuekit.micrometer.QueuekitMetrics.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("queuekitMetrics"));
  }

  @Test
  void anApplicationsOwnManagerWins() {
    runner().withBean("myManager", QueueManager.class,
            () -> QueueManager.builder().dataPath(data.resolve("mine")).build())
        .run(ctx -> assertThat(ctx.getBean(QueueManager.class).dataPath()).isEqualTo(data.resolve("mine")));
  }

  @Test
  void idesGetMetadataForEveryProperty() throws Exception {
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
      String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(json).contains("\"queuekit.data-path\"", "\"queuekit.ini\"", "\"queuekit.queues\"",
          "\"queuekit.defaults.max-workers\"", "\"queuekit.defaults.conn-str\"", "Workers start on demand");
    }
  }

  @Test
  void everySettingHasAProperty() {
    QueueProperties p = new QueueProperties();
    for (Setting s : Setting.values()) {
      String setter = "set" + java.util.Arrays.stream(s.name().toLowerCase().split("_"))
          .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1)).reduce("", String::concat);
      try {
        QueueProperties.class.getMethod(setter, String.class).invoke(p, "x-" + s.name());
      } catch (ReflectiveOperationException e) {
        throw new AssertionError("QueueProperties has no " + setter + " for " + s, e);
      }
    }
    assertThat(p.given()).hasSize(Setting.values().length)
        .allSatisfy((k, v) -> assertThat(v).isEqualTo("x-" + k.name()));
  }
}
