package io.queuekit.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.queuekit.QueueException;
import io.queuekit.QueueHealth;
import io.queuekit.QueueManager;
import io.queuekit.WorkerPoolQueue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server's routes: the static page, the JSON API and {@code /metrics}, with the
 * token check in front of everything that carries data or acts. Package-private: the public
 * surface is {@link AdminServer}.
 */
final class AdminRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
  private static final Set<String> TOKEN_PARAMS = Set.of("token", "access_token", "bearer", "auth");
  private static final int MAX_DEAD_PAGE = 500;

  /** No inline script or style, nothing from elsewhere: an injected payload cannot run. */
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final QueueManager manager;
  private final BearerToken token;
  private final Duration maxWaitingAge;
  private final Supplier<String> metrics;
  private final ObjectMapper json = new ObjectMapper()
      .registerModule(new Jdk8Module())
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private AdminRoutes(QueueManager manager, BearerToken token, Duration maxWaitingAge, Supplier<String> metrics) {
    this.manager = manager;
    this.token = token;
    this.maxWaitingAge = maxWaitingAge;
    this.metrics = metrics;
  }

  static Javalin create(QueueManager manager, BearerToken token, Duration maxWaitingAge, Supplier<String> metrics) {
    AdminRoutes r = new AdminRoutes(manager, token, maxWaitingAge, metrics);
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.http.prefer405over404 = true; // a GET on an action says "method not allowed", not "not found"
      r.routes(config.routes);
    });
  }

  private void routes(io.javalin.config.RoutesConfig routes) {
    AdminRoutes r = this;
    routes.before(r::securityHeaders);
    routes.before("/api/*", r::authenticate);
    routes.before("/metrics", r::authenticate);

    routes.get("/", ctx -> r.resource(ctx, "index.html", "text/html; charset=utf-8"));
    routes.get("/app.js", ctx -> r.resource(ctx, "app.js", "text/javascript; charset=utf-8"));
    routes.get("/app.css", ctx -> r.resource(ctx, "app.css", "text/css; charset=utf-8"));
    routes.get("/metrics", r::metrics);

    routes.get("/api/queues", ctx -> r.send(ctx, r.views()));
    routes.get("/api/queues/{name}", ctx -> r.send(ctx, r.view(r.queue(ctx))));
    routes.get("/api/queues/{name}/dead", r::deadLetters);
    routes.post("/api/queues/{name}/pause", ctx -> r.act(ctx, q -> { q.pause(); return Map.of("paused", true); }));
    routes.post("/api/queues/{name}/resume", ctx -> r.act(ctx, q -> { q.resume(); return Map.of("paused", false); }));
    routes.post("/api/queues/{name}/max-workers", ctx -> r.act(ctx, q -> {
      int n = r.intField(ctx, "maxWorkers");
      q.setMaxWorkers(n);
      return Map.of("maxWorkers", q.maxWorkers());
    }));
    routes.post("/api/queues/{name}/flush", ctx -> r.act(ctx, q -> {
      int seconds = r.body(ctx).path("timeoutSeconds").asInt(10);
      return Map.of("flushed", q.flush(Duration.ofSeconds(Math.max(0, Math.min(seconds, 300)))));
    }));
    routes.post("/api/queues/{name}/remove-all", ctx -> r.act(ctx, q -> {
      String confirm = r.body(ctx).path("confirm").asText("");
      if (!confirm.equals(q.name())) {
        throw new BadRequest("remove-all needs {\"confirm\": \"" + q.name() + "\"}: it deletes every waiting item");
      }
      return Map.of("removed", q.removeAll());
    }));
    routes.post("/api/queues/{name}/dead/replay", ctx -> r.act(ctx, q -> Map.of("replayed",
        r.allRequested(ctx) ? q.replayAllDead() : q.replayDead(r.ids(ctx)))));
    routes.post("/api/queues/{name}/dead/purge", ctx -> r.act(ctx, q -> Map.of("purged",
        r.allRequested(ctx) ? q.purgeAllDead() : q.purgeDead(r.ids(ctx)))));

    routes.exception(BadRequest.class, (e, ctx) -> r.error(ctx, 400, e.getMessage()));
    routes.exception(NotFound.class, (e, ctx) -> r.error(ctx, 404, e.getMessage()));
    routes.exception(IllegalArgumentException.class, (e, ctx) -> r.error(ctx, 400, e.getMessage()));
    routes.exception(QueueException.class, (e, ctx) -> {
      LOG.warn("admin request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
      r.error(ctx, 503, e.getMessage());
    });
  }


  private void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  private void authenticate(Context ctx) {
    for (String p : ctx.queryParamMap().keySet()) {
      if (TOKEN_PARAMS.contains(p.toLowerCase(java.util.Locale.ROOT))) {
        error(ctx, 400, "send the token in the Authorization header, never in the URL (URLs end up in logs and history)");
        ctx.skipRemainingHandlers();
        return;
      }
    }
    if (!token.matches(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"queuekit\"");
      error(ctx, 401, "missing or wrong bearer token (Authorization: Bearer <token>)");
      ctx.skipRemainingHandlers();
    }
  }

  private void resource(Context ctx, String name, String type) {
    try (InputStream in = AdminRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("queue-admin jar lacks its resource " + name);
      }
      ctx.contentType(type).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void metrics(Context ctx) {
    if (metrics == null) {
      error(ctx, 404, "metrics are not enabled: bind a Micrometer Prometheus registry (queue-micrometer) and pass its scrape to AdminServer.Builder.metrics");
      return;
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get());
  }

  private List<QueueView> views() {
    Map<String, QueueHealth.Queue> health = new LinkedHashMap<>();
    manager.health(maxWaitingAge).queues().forEach(h -> health.put(h.name(), h));
    List<QueueView> out = new ArrayList<>();
    for (WorkerPoolQueue<?> q : manager.queues()) {
      out.add(QueueView.of(q, health.get(q.name())));
    }
    return out;
  }

  private QueueView view(WorkerPoolQueue<?> q) {
    return views().stream().filter(v -> v.name().equals(q.name())).findFirst()
        .orElseThrow(() -> new NotFound("no queue named \"" + q.name() + "\""));
  }

  private void deadLetters(Context ctx) {
    WorkerPoolQueue<?> q = queue(ctx);
    int offset = intParam(ctx, "offset", 0, Integer.MAX_VALUE);
    int limit = intParam(ctx, "limit", 50, MAX_DEAD_PAGE);
    send(ctx, DeadView.page(q, offset, limit));
  }

  private interface Action {
    Object apply(WorkerPoolQueue<?> q) throws QueueException;
  }

  private void act(Context ctx, Action action) {
    WorkerPoolQueue<?> q = queue(ctx);
    Object result = action.apply(q);
    LOG.info("admin: {} on queue \"{}\" from {}: {}", ctx.path().substring(ctx.path().lastIndexOf('/') + 1),
        q.name(), ctx.ip(), result);
    send(ctx, result);
  }

  private WorkerPoolQueue<?> queue(Context ctx) {
    String name = ctx.pathParam("name");
    return manager.queue(name).orElseThrow(() -> new NotFound("no queue named \"" + name + "\""));
  }

  private JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest("the request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private int intField(Context ctx, String field) {
    JsonNode n = body(ctx).path(field);
    if (!n.canConvertToInt()) {
      throw new BadRequest("expected {\"" + field + "\": <whole number>}, got " + ctx.body());
    }
    return n.asInt();
  }

  private boolean allRequested(Context ctx) {
    return body(ctx).path("all").asBoolean(false);
  }

  private List<Long> ids(Context ctx) {
    JsonNode ids = body(ctx).path("ids");
    if (!ids.isArray() || ids.isEmpty()) {
      throw new BadRequest("expected {\"ids\": [dead-letter ids]} or {\"all\": true}");
    }
    List<Long> out = new ArrayList<>();
    for (JsonNode id : ids) {
      if (!id.canConvertToLong()) {
        throw new BadRequest("dead-letter ids are whole numbers, got " + id);
      }
      out.add(id.asLong());
    }
    return out;
  }

  private static int intParam(Context ctx, String name, int dflt, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0 || n > max) {
        throw new BadRequest(name + " must be 0.." + max + ", got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, got \"" + v + "\"");
    }
  }

  private void send(Context ctx, Object body) {
    try {
      ctx.contentType("application/json").result(json.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void error(Context ctx, int status, String message) {
    ctx.status(status);
    send(ctx, Map.of("error", message == null ? "" : message));
  }

  /** A request the API refuses with 400 and this message. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  /** No such queue: 404. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }
}
