package io.queuekit.admin;

import io.javalin.Javalin;
import io.queuekit.QueueManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable admin page and JSON API for one {@link QueueManager}: every queue's figures and
 * health, set max workers, pause / resume, flush, remove all, and the dead letters (list,
 * replay, purge). Built on Javalin (Jetty).
 *
 * <pre>
 * try (AdminServer admin = AdminServer.builder(queues).port(8081).start()) {
 *   // the token is never printed: the URL to open, with it, is in a file only this user reads
 *   System.out.println("admin page: " + admin.url() + ", login URL in " + admin.loginUrlFile().orElseThrow());
 *   ...
 * }
 * </pre>
 *
 * <p><b>Security model.</b> It binds to loopback unless {@link Builder#allowRemote()} is called
 * (and then warns). Every API request, {@code /metrics} included, needs {@code Authorization:
 * Bearer <token>}: the token is configured or generated at start; it is never read from a
 * cookie, so no other site can make a browser act, and a request carrying a token in its query
 * string is refused, since URLs end up in logs and histories. Actions are POST only. The page
 * itself ({@code /}, {@code /app.js}, {@code /app.css}) is static and holds no data: it reads the
 * token from the login URL's fragment (which browsers never send) and calls the API. Payloads
 * are shown as text and the page's Content-Security-Policy allows no inline script, so a dead
 * letter holding {@code <script>} stays inert. Connection strings are never shown.
 *
 * <p><b>The token never reaches a log.</b> A generated token's login URL is written to a file
 * readable by the process's user alone ({@code 0600}; {@code queuekit-admin-login.txt} in the
 * manager's data path unless {@link Builder#loginUrlFile} says otherwise), and the log names the
 * page and that file. A configured token is the operator's already: nothing is written.
 *
 * <p><b>Thread-safety:</b> requests run on Jetty's pool; the manager's operations are
 * thread-safe. {@link #close()} is idempotent.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  private final Javalin app;
  private final String host;
  private final String token;
  /** Where the generated token's login URL is; null for a configured token. */
  private final Path loginUrlFile;

  private AdminServer(Builder b) {
    this.host = b.host;
    this.token = b.token != null ? b.token : BearerToken.generate();
    this.app = AdminRoutes.create(b.manager, new BearerToken(token), b.maxWaitingAge, b.metrics);
    app.start(b.host, b.port);
    if (b.token != null) {
      this.loginUrlFile = null;
      if (b.loginUrlFile != null) {
        LOG.warn("queuekit admin: the login URL file {} is not written: a configured token is "
            + "written nowhere (drop one of the two settings)", b.loginUrlFile.toAbsolutePath());
      }
      LOG.info("queuekit admin page: {}", url());
      return;
    }
    // the URL is known once the port is: written after the start, and the server stopped again
    // if it cannot be, since no one could then log in
    Path file = (b.loginUrlFile != null ? b.loginUrlFile
        : b.manager.dataPath().resolve(LoginUrlFile.DEFAULT_NAME)).toAbsolutePath();
    try {
      LoginUrlFile.write(file, loginUrl());
    } catch (IOException | RuntimeException e) {
      app.stop();
      String message = "the admin server cannot write its login URL to " + file + " (" + e
          + "): give a writable loginUrlFile(...), or a token(...) of your own";
      throw e instanceof IOException io ? new UncheckedIOException(message, io) : new IllegalStateException(message, e);
    }
    this.loginUrlFile = file;
    LOG.info("queuekit admin page: {} (a token generated for this run: the URL to open, with it, is in {}, "
        + "readable by this user only)", url(), file);
  }

  /** Starts building an admin server for {@code manager}. */
  public static Builder builder(QueueManager manager) {
    return new Builder(manager);
  }

  /** The port it listens on (the one chosen when 0 was asked for). */
  public int port() {
    return app.port();
  }

  /** {@code http://host:port/}, an IPv6 host in brackets. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/";
  }

  /**
   * The page's URL with the token in its fragment: what an operator opens. It holds the
   * credential: never log or print it (a generated one is in {@link #loginUrlFile()}).
   */
  public String loginUrl() {
    return url() + "#token=" + token;
  }

  /**
   * The file holding {@link #loginUrl()} when the token was generated (absolute, readable by this
   * process's user alone); empty when it was configured ({@link Builder#token}). Deleted at
   * {@link #close()}.
   */
  public Optional<Path> loginUrlFile() {
    return Optional.ofNullable(loginUrlFile);
  }

  /** The bearer token API requests must carry. */
  public String token() {
    return token;
  }

  @Override
  public void close() {
    String written = loginUrl(); // before the stop, after which the port reads 0
    app.stop();
    if (loginUrlFile != null) {
      try {
        LoginUrlFile.deleteIfHolding(loginUrlFile, written);
      } catch (IOException e) {
        // its token opens nothing any more: left behind, it is clutter, not a leak
        LOG.warn("queuekit admin: could not delete {}: {}", loginUrlFile, e.toString());
      }
    }
  }

  /** Configures an {@link AdminServer}. Not thread-safe. */
  public static final class Builder {
    private final QueueManager manager;
    private String host = "127.0.0.1";
    private int port = 0;
    private String token;
    private Path loginUrlFile;
    private boolean allowRemote;
    private Duration maxWaitingAge = Duration.ofMinutes(5);
    private Supplier<String> metrics;

    private Builder(QueueManager manager) {
      this.manager = Objects.requireNonNull(manager, "manager");
    }

    /**
     * The address to bind (default 127.0.0.1); a non-loopback one needs {@link #allowRemote()}. An
     * IPv6 literal may be given bare or bracketed as in a URL ({@code ::1} or {@code [::1]}).
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      // kept bare, so url() brackets it exactly once
      this.host = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
          ? host.substring(1, host.length() - 1) : host;
      return this;
    }

    /** The port (default 0: any free port; see {@link AdminServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("admin port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * A fixed bearer token (at least 16 characters) instead of one generated at start. It is never
     * logged, nor written anywhere.
     */
    public Builder token(String token) {
      if (token == null || token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
        throw new IllegalArgumentException("the admin token must be at least 16 printable ASCII characters without spaces");
      }
      this.token = token;
      return this;
    }

    /**
     * Where a token generated at start has its login URL written, readable by this process's user
     * alone (default: {@code queuekit-admin-login.txt} in the manager's {@link
     * QueueManager#dataPath() data path}); missing directories are created, and a relative path is
     * resolved against the working directory. The log names this file, never the token. Unused
     * with a configured {@link #token} (the start then warns).
     */
    public Builder loginUrlFile(Path file) {
      this.loginUrlFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Allows binding to an address other than loopback: the API is then reachable by others holding the token. */
    public Builder allowRemote() {
      this.allowRemote = true;
      return this;
    }

    /** A queue whose oldest item is older than this shows as unhealthy (default 5 minutes). */
    public Builder maxWaitingAge(Duration maxWaitingAge) {
      this.maxWaitingAge = Objects.requireNonNull(maxWaitingAge, "maxWaitingAge");
      return this;
    }

    /**
     * Serves {@code /metrics} (Prometheus text) from this supplier, e.g. a Micrometer {@code
     * PrometheusMeterRegistry::scrape}. Without one, {@code /metrics} answers 404.
     */
    public Builder metrics(Supplier<String> prometheusScrape) {
      this.metrics = Objects.requireNonNull(prometheusScrape, "prometheusScrape");
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalArgumentException the host is not loopback and {@link #allowRemote()} was not called
     * @throws java.io.UncheckedIOException a generated token's {@link #loginUrlFile login URL file}
     *     cannot be written (the server is stopped again)
     */
    public AdminServer start() {
      boolean loopback;
      try {
        loopback = InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("admin host \"" + host + "\" does not resolve", e);
      }
      if (!loopback && !allowRemote) {
        throw new IllegalArgumentException("the admin server would bind to " + host + ", beyond this machine; "
            + "bind to 127.0.0.1, or opt in with allowRemote() (the demo: --admin-allow-remote)");
      }
      if (!loopback) {
        LOG.warn("queuekit admin binds to {}: anyone who can reach it and holds the token can act on the queues; "
            + "put TLS in front of it", host);
      }
      return new AdminServer(this);
    }
  }
}
