package io.queuekit.admin;

import static org.awaitility.Awaitility.await;

import io.queuekit.PermanentFailure;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real manager with a channel queue ({@code mail}) and a LevelDB queue ({@code index}), and
 * with a Redis address a Redis queue ({@code issue_indexer}) too, an admin server in front of
 * it, and an HTTP client. Items listed in {@link #refused} are dead-lettered by the handler as
 * permanent failures (with the reason in {@link #reasons}, if any); everything else is handled.
 */
final class AdminFixture implements AutoCloseable {

  final Set<String> refused = ConcurrentHashMap.newKeySet();
  final Set<String> handled = ConcurrentHashMap.newKeySet();
  /** The reason a refused item is dead-lettered with, when not the usual one. */
  final Map<String, String> reasons = new ConcurrentHashMap<>();
  final QueueManager manager;
  final WorkerPoolQueue<String> mail;
  final WorkerPoolQueue<String> index;
  /** The Redis queue; null without a Redis address. */
  final WorkerPoolQueue<String> indexer;
  final AdminServer admin;
  private final HttpClient http = HttpClient.newHttpClient();

  AdminFixture(Path data) {
    this(data, null);
  }

  /** With {@code redisConnStr} (null: none), a third queue, {@code issue_indexer}, on that Redis. */
  AdminFixture(Path data, String redisConnStr) {
    manager = QueueManager.builder().dataPath(data)
        .config(name -> switch (name) {
          case "mail" -> QueueSettings.builder().type("channel").connStr("redis://:Sup3rSecretPw@mail-redis:6379/0").build();
          case "issue_indexer" -> QueueSettings.builder().type("redis").connStr(redisConnStr).build();
          default -> QueueSettings.defaults();
        })
        .build();
    mail = manager.create(QueueSpec.simple("mail", String.class, this::handle));
    index = manager.create(QueueSpec.unique("index", String.class, this::handle));
    indexer = redisConnStr == null ? null : manager.create(QueueSpec.simple("issue_indexer", String.class, this::handle));
    admin = AdminServer.builder(manager).maxWaitingAge(Duration.ofHours(1)).start();
  }

  private List<Object> handle(List<String> batch) {
    List<Object> failed = new ArrayList<>();
    for (String item : batch) {
      if (refused.contains(item)) {
        failed.add(new PermanentFailure(item, reasons.getOrDefault(item, "refused by the test")));
      } else {
        handled.add(item);
      }
    }
    return failed;
  }

  /** Pushes {@code item}, refused by the handler, and waits until it is a dead letter. */
  void deadLetter(WorkerPoolQueue<String> q, String item) {
    refused.add(item);
    long before = q.stats().dead();
    q.push(item);
    await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().dead() > before);
  }

  HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.url() + path.substring(1)))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, "Bearer " + admin.token());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, body, "Bearer " + admin.token());
  }

  @Override
  public void close() {
    admin.close();
    manager.close();
  }
}
