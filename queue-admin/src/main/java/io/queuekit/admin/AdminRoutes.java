package io.queuekit.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueHealth;
import io.queuekit.QueueManager;
import io.queuekit.WorkerPoolQueue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private static final int MAX_FLUSH_SECONDS = 300;
  private static final int DEFAULT_FLUSH_SECONDS = 10;

  /** No inline script or style, nothing from elsewhere: an injected payload cannot run. */
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final QueueManager manager;
  private final BearerToken token;
  private final Duration maxWaitingAge;
  private final Supplier<String> metrics;
  private final Unexpected unexpected = new Unexpected(this::error);
  private final ObjectMapper json = new ObjectMapper()
      .registerModule(new Jdk8Module())
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      // exact decimals: 6815.000000000000000001 must be refused as fractional, not rounded to a whole id
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

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
      // every answer is JSON, an Error's too: each handler's Errors are answered where its Context is at hand
      config.router.handlerWrapper(endpoint -> ctx -> r.unexpected.guard(ctx, endpoint.handler));
      config.router.javaLangErrorHandler(r.unexpected::javalinError);
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
      int n = (int) wholeNumber("maxWorkers", r.body(ctx).path("maxWorkers"), Integer.MIN_VALUE, Integer.MAX_VALUE);
      try {
        q.setMaxWorkers(n);
      } catch (QueueConfigException e) {
        throw new BadRequest(e.getMessage()); // the value given was refused: the request's fault, not the store's
      }
      return Map.of("maxWorkers", q.maxWorkers());
    }));
    routes.post("/api/queues/{name}/flush", ctx -> r.act(ctx, q -> {
      JsonNode t = r.body(ctx).path("timeoutSeconds");
      long seconds = t.isMissingNode() || t.isNull() ? DEFAULT_FLUSH_SECONDS
          : wholeNumber("timeoutSeconds", t, 0, MAX_FLUSH_SECONDS);
      return Map.of("flushed", q.flush(Duration.ofSeconds(seconds)));
    }));
    routes.post("/api/queues/{name}/remove-all", ctx -> r.act(ctx, q -> {
      String confirm = r.body(ctx).path("confirm").asText("");
      if (!confirm.equals(q.name())) {
        throw new BadRequest("remove-all needs {\"confirm\": \"" + q.name() + "\"}: it deletes every waiting item");
      }
      return Map.of("removed", q.removeAll());
    }));
    routes.post("/api/queues/{name}/dead/replay", ctx -> r.onDead(ctx, "replayed",
        WorkerPoolQueue::replayAllDead, WorkerPoolQueue::replayDead));
    routes.post("/api/queues/{name}/dead/purge", ctx -> r.onDead(ctx, "purged",
        WorkerPoolQueue::purgeAllDead, WorkerPoolQueue::purgeDead));

    // Javalin's own answers (no such endpoint, wrong method) in the API's JSON, not plain text
    routes.exception(HttpResponseException.class, (e, ctx) -> r.error(ctx, e.getStatus(), httpError(e, ctx)));
    routes.exception(BadRequest.class, (e, ctx) -> r.error(ctx, 400, e.getMessage()));
    routes.exception(NotFound.class, (e, ctx) -> r.error(ctx, 404, e.getMessage()));
    routes.exception(IllegalArgumentException.class, (e, ctx) -> r.error(ctx, 400, e.getMessage()));
    routes.exception(QueueException.class, (e, ctx) -> {
      LOG.warn("admin request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
      r.error(ctx, 503, e.getMessage());
    });
    routes.exception(Exception.class, unexpected::exception); // anything else: a bug, answered in JSON all the same
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
      error(ctx, 404, "metrics are not enabled: bind a Micrometer Prometheus registry (queue-micrometer) and pass its "
          + "scrape to AdminServer.Builder.metrics (the demo: --metrics)");
      return;
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get());
  }

  /** Every queue's view; one whose store does not answer shows as such and hides no other. */
  private List<QueueView> views() {
    Map<String, QueueHealth.Queue> health = health();
    List<QueueView> out = new ArrayList<>();
    for (WorkerPoolQueue<?> q : manager.queues()) {
      out.add(QueueView.of(q, health.get(q.name())));
    }
    return out;
  }

  /**
   * One queue's view, with that queue's health alone: another queue's store that does not answer
   * must not slow it. The manager's check is asked (not a check of our own) because it remembers
   * since when a store has been down; it never throws for a store that does not answer.
   */
  private QueueView view(WorkerPoolQueue<?> q) {
    return QueueView.of(q, manager.health(q.name(), maxWaitingAge));
  }

  /** Every queue's health by name, from the manager's check (see {@link #view}). */
  private Map<String, QueueHealth.Queue> health() {
    Map<String, QueueHealth.Queue> health = new LinkedHashMap<>();
    manager.health(maxWaitingAge).queues().forEach(h -> health.put(h.name(), h));
    return health;
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
    audit(ctx, q, result);
    send(ctx, result);
  }

  /** Logs an action that was done, with who asked and what it did. */
  private static void audit(Context ctx, WorkerPoolQueue<?> q, Object result) {
    LOG.info("admin: {} on queue \"{}\" from {}: {}", ctx.path().substring(ctx.path().lastIndexOf('/') + 1),
        q.name(), ctx.ip(), result);
  }

  /**
   * Replay or purge: every dead letter, or those named. Named ids that are no dead letter of the
   * queue (replayed or purged already, or never one) answer 404 naming them, after the others
   * are done, as {@code queuekit dead replay} exits with a usage error: a client, or the page,
   * must not take "replayed 0" for success. They are looked for before the action, so the ids it
   * moves are not reported as missing; ids found then but gone when acted on (another replay or
   * purge took them meanwhile) answer 409 with how many.
   */
  private void onDead(Context ctx, String done, java.util.function.ToLongFunction<WorkerPoolQueue<?>> every,
      java.util.function.ToLongBiFunction<WorkerPoolQueue<?>, List<Long>> some) {
    WorkerPoolQueue<?> q = queue(ctx);
    Optional<List<Long>> named = deadSelection(ctx);
    Set<Long> missing = named.map(ids -> DeadAction.notDead(q, ids)).orElse(Set.of());
    long n = named.isPresent() ? some.applyAsLong(q, named.get()) : every.applyAsLong(q);
    DeadAction outcome = DeadAction.of(q.name(), done, named.orElse(null), missing, n);
    audit(ctx, q, outcome.summary());
    ctx.status(outcome.status());
    send(ctx, outcome.json());
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

  /**
   * The dead letters a replay or purge names: {@code {"ids": [...]}}, or empty for {@code {"all":
   * true}}. Both at once is refused rather than one winning: a purge must never do more than asked.
   */
  private Optional<List<Long>> deadSelection(Context ctx) {
    JsonNode body = body(ctx);
    JsonNode all = body.path("all");
    if (!all.isMissingNode() && !all.isBoolean()) {
      throw new BadRequest("\"all\" must be true or false, got " + all);
    }
    boolean everyOne = all.asBoolean(false);
    if (everyOne && body.has("ids")) {
      throw new BadRequest("give either {\"ids\": [...]} or {\"all\": true}, not both: got " + body);
    }
    if (everyOne) {
      return Optional.empty();
    }
    JsonNode ids = body.path("ids");
    if (!ids.isArray() || ids.isEmpty()) {
      throw new BadRequest("expected {\"ids\": [dead-letter ids]} or {\"all\": true}");
    }
    List<Long> out = new ArrayList<>();
    for (JsonNode id : ids) {
      out.add(wholeNumber("ids", id, Long.MIN_VALUE, Long.MAX_VALUE));
    }
    return Optional.of(out);
  }

  private static int intParam(Context ctx, String name, int dflt, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    BigDecimal n;
    try {
      n = new BigDecimal(v.trim());
    } catch (NumberFormatException e) {
      n = null;
    }
    return (int) inRange(name, n, "\"" + v + "\"", 0, max);
  }

  /** A JSON field's {@code value} as a whole number in min..max, else a 400 naming the field and value. */
  private static long wholeNumber(String field, JsonNode value, long min, long max) {
    if (value.isMissingNode()) {
      throw new BadRequest("expected {\"" + field + "\": <whole number>}: " + field + " is missing");
    }
    BigDecimal n = null;
    if (value.isNumber()) {
      try {
        n = value.decimalValue();
      } catch (NumberFormatException e) {
        // not finite: not a whole number either
      }
    }
    return inRange(field, n, value.toString(), min, max);
  }

  /** {@code n} (null: not a number) if whole and in min..max; else a 400 with the range and the value as given. */
  private static long inRange(String field, BigDecimal n, String given, long min, long max) {
    if (n == null || n.stripTrailingZeros().scale() > 0
        || n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
      String range = min == Long.MIN_VALUE && max == Long.MAX_VALUE ? ""
          : min == Integer.MIN_VALUE || min == Long.MIN_VALUE ? " of at most " + max : " in " + min + ".." + max;
      throw new BadRequest(field + " must be a whole number" + range + ", got " + given);
    }
    return n.longValueExact();
  }

  /** What a 404 or 405 of Javalin's own says, with the method and path it refused. */
  private static String httpError(HttpResponseException e, Context ctx) {
    String request = ctx.method() + " " + ctx.path();
    return switch (e.getStatus()) {
      case 404 -> "no such endpoint: " + request;
      case 405 -> request + ": method not allowed" + (e.getDetails().isEmpty() ? ""
          : " (allowed: " + String.join(", ", e.getDetails().values()) + ")");
      default -> request + ": " + e.getMessage();
    };
  }

  private void send(Context ctx, Object body) {
    try {
      ctx.contentType("application/json").result(json.writeValueAsBytes(body)); // one copy, not a String too
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
