package io.queuekit.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample started whole, on a real port, pushed to over HTTP, handled, and its health read. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTest {

  @TempDir static Path data;

  @DynamicPropertySource
  static void dataPath(DynamicPropertyRegistry registry) {
    registry.add("queuekit.data-path", data::toString);
  }

  @LocalServerPort int port;
  @Autowired SampleApplication.Indexer indexer;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void itemsPushedOverHttpAreHandledAndHealthShowsTheQueue() throws Exception {
    for (long id = 1; id <= 5; id++) {
      HttpResponse<String> pushed = send("POST", "/issues/" + id);
      assertThat(pushed.statusCode()).isEqualTo(200);
      assertThat(pushed.body()).isIn("ADDED", "DUPLICATE");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> indexer.indexed().containsAll(Set.of(1L, 2L, 3L, 4L, 5L)));

    HttpResponse<String> health = send("GET", "/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"queuekit\"").contains("issue_indexer").contains("\"UP\"");
  }
}
