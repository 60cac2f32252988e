package io.queuekit.conformance.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A throwaway {@code redis-server} for tests and benchmarks (the one place this project starts
 * one): its own free port on 127.0.0.1 (never 6379), its own
 * temporary directory, no persistence unless asked. Found at {@code $REDIS_SERVER} or on {@code
 * PATH}; when neither has one, {@link #start()} fails with the command that installs it
 * (Testcontainers cannot run on these machines: there is no Docker), and {@link #unavailable()}
 * says so for a caller that skips instead.
 *
 * <p>Options: a password ({@code requirepass}), an ACL user, TLS on a second port with a
 * self-signed certificate, append-only persistence ({@code appendfsync always}) for restart tests,
 * any extra {@code --key value} argument. {@link #kill()} is {@code kill -9}; {@link #restart()}
 * starts the same server again on the same port and directory.
 *
 * <p><b>Thread-safety:</b> start, stop and restart from one thread; {@link #port()} and friends
 * from any.
 */
public final class RedisServer implements AutoCloseable {

  private final List<String> extra;
  private final String password;
  private final String aclUser;
  private final String aclPassword;
  private final boolean tls;
  private final boolean appendOnly;
  private final List<String> sentinelConfig;
  private final boolean valkey;
  private Path dir;
  private int port;
  private int tlsPort;
  private TlsFiles tlsFiles;
  private Process process;

  private RedisServer(Builder b) {
    this.extra = List.copyOf(b.extra);
    this.password = b.password;
    this.aclUser = b.aclUser;
    this.aclPassword = b.aclPassword;
    this.tls = b.tls;
    this.appendOnly = b.appendOnly;
    this.sentinelConfig = b.sentinelConfig == null ? null : List.copyOf(b.sentinelConfig);
    this.valkey = b.valkey;
  }

  /** A builder for a plain server with no password and no persistence. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a plain server. */
  public static RedisServer startPlain() {
    return builder().build().start();
  }

  /** Options of a {@link RedisServer}. */
  public static final class Builder {
    private final List<String> extra = new ArrayList<>();
    private String password;
    private String aclUser;
    private String aclPassword;
    private boolean tls;
    private boolean appendOnly;
    private List<String> sentinelConfig;
    private boolean valkey;

    /** {@code requirepass}: the default user needs this password. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** An ACL user with every key and command (but nothing for the default user's password). */
    public Builder aclUser(String user, String password) {
      this.aclUser = user;
      this.aclPassword = password;
      return this;
    }

    /** A TLS port beside the plain one, with a fresh self-signed certificate for 127.0.0.1. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** {@code appendonly yes}, {@code appendfsync always}: survives {@link #kill()}. */
    public Builder appendOnly() {
      this.appendOnly = true;
      return this;
    }

    /**
     * A Sentinel ({@code redis-server CONF --sentinel}) instead of a data server: {@code lines}
     * are its configuration file (written once into its directory, which the sentinel rewrites
     * as it learns), the port and the rest are given on the command line as for any server.
     */
    public Builder sentinel(List<String> lines) {
      this.sentinelConfig = List.copyOf(lines);
      return this;
    }

    /** Any other option, as on the command line: {@code arg("maxmemory-policy", "allkeys-lru")}. */
    public Builder arg(String key, String value) {
      extra.add("--" + key);
      extra.add(value);
      return this;
    }

    /**
     * Valkey's {@code valkey-server} ({@link #valkeyBinary()}) instead of {@code redis-server}:
     * a server with what this machine's Redis lacks (Debian 12's Redis is 7.0, without {@code
     * WAITAOF}; Valkey 8 forked from Redis 7.2 and has it).
     */
    public Builder valkey() {
      this.valkey = true;
      return this;
    }

    public RedisServer build() {
      return new RedisServer(this);
    }
  }

  /** The redis-server binary: {@code $REDIS_SERVER}, else the first on {@code PATH}. */
  public static String binary() {
    return find("REDIS_SERVER", "redis-server", "the Redis tests and benchmarks need a real "
        + "server. Install it with `apt-get install redis-server` (Debian/Ubuntu) or set "
        + "REDIS_SERVER to its path. (Testcontainers cannot run here: no Docker.)");
  }

  /** The valkey-server binary: {@code $VALKEY_SERVER}, else the first on {@code PATH}. */
  public static String valkeyBinary() {
    return find("VALKEY_SERVER", "valkey-server", "the DURABILITY=aof tests need a server with "
        + "WAITAOF (Redis 7.2+ or Valkey). On Debian 12 install it from bookworm-backports "
        + "(`apt-get install -t bookworm-backports valkey-server`, as .ci/run does) or set "
        + "VALKEY_SERVER to its path.");
  }

  /** Why no Valkey server can be started here ({@link #valkeyBinary()}'s complaint), or empty. */
  public static Optional<String> valkeyUnavailable() {
    return complaint(RedisServer::valkeyBinary);
  }

  private static Optional<String> complaint(Supplier<String> find) {
    try {
      find.get();
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static String find(String variable, String name, String why) {
    String env = System.getenv(variable);
    if (env != null && !env.isBlank()) {
      if (!new File(env).canExecute()) {
        throw new IllegalStateException(variable + "=" + env + " is not an executable file");
      }
      return env;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        File f = new File(d, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    throw new IllegalStateException(name + " is not installed: " + why);
  }

  /** Why no server can be started here ({@link #binary()}'s complaint), or empty if one can. */
  public static Optional<String> unavailable() {
    return complaint(RedisServer::binary);
  }

  /** Starts the server on a fresh free port (retrying if another process takes the port). */
  public RedisServer start() {
    try {
      dir = Files.createTempDirectory("queuekit-redis-");
      if (tls) {
        tlsFiles = TlsFiles.generate(dir);
      }
      if (sentinelConfig != null) {
        Files.write(dir.resolve("sentinel.conf"), sentinelConfig);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      port = freePort();
      tlsPort = tls ? freePort() : 0;
      try {
        launch();
        return this;
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  private void launch() {
    List<String> cmd = new ArrayList<>(List.of(valkey ? valkeyBinary() : binary()));
    if (sentinelConfig != null) {
      cmd.addAll(List.of(dir.resolve("sentinel.conf").toString(), "--sentinel"));
    }
    cmd.addAll(List.of("--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no",
        "--save", "", "--logfile", dir.resolve("redis.log").toString(),
        "--protected-mode", "no"));
    if (appendOnly) {
      cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      cmd.addAll(List.of("--appendonly", "no"));
    }
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    if (tls) {
      cmd.addAll(List.of("--tls-port", Integer.toString(tlsPort),
          "--tls-cert-file", tlsFiles.cert().toString(), "--tls-key-file", tlsFiles.key().toString(),
          "--tls-ca-cert-file", tlsFiles.cert().toString(), "--tls-auth-clients", "no"));
    }
    cmd.addAll(extra);
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd.get(0), e);
    }
    Processes.register(process);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited with "
            + process.exitValue() + ": " + log());
      }
      try (Resp r = Resp.connect(port)) {
        if (password != null) {
          r.call("AUTH", password);
        }
        Object pong = r.call("PING");
        if ("PONG".equals(pong)) {
          if (aclUser != null) {
            r.call("ACL", "SETUSER", aclUser, "on", ">" + aclPassword, "~*", "&*", "+@all");
          }
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet, or still loading the append-only file
      }
      Processes.pause(Duration.ofMillis(20));
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING in "
        + "10 s: " + log());
  }

  /**
   * Makes this server a replica of {@code master} ({@code REPLICAOF}) and returns once the link
   * is up, the first sync done and the master counts it online.
   */
  public void replicate(RedisServer master) {
    try (Resp m = master.client()) {
      // the default waits 5 s for more replicas before the first diskless sync
      m.call("CONFIG", "SET", "repl-diskless-sync-delay", "0");
    }
    try (Resp r = client()) {
      r.call("REPLICAOF", "127.0.0.1", Integer.toString(master.port()));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      // up on the replica's side, and online on the master's (only online replicas count for
      // WAIT; after a diskless sync the master waits for the replica's first REPLCONF ACK)
      while (!String.valueOf(r.call("INFO", "replication")).contains("master_link_status:up")
          || !masterSees(master)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("replica on port " + port + " never synced with "
              + master.port() + ": " + log());
        }
        Processes.pause(Duration.ofMillis(20));
      }
    }
    // just after a sync the replica may take most of a second to answer the master's GETACK
    // (its ACKs are otherwise once a second): wait until a write is acknowledged promptly
    try (Resp m = master.client()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        // every online replica, this one included, must acknowledge
        long online = String.valueOf(m.call("INFO", "replication")).split(",state=online", -1)
            .length - 1;
        m.call("SET", "queuekit:fixture:replicated", "1");
        if (m.integer("WAIT", Long.toString(online), "100") >= online) {
          m.call("DEL", "queuekit:fixture:replicated");
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("replica on port " + port + " never acknowledged a "
              + "write of " + master.port() + ": " + log());
        }
      }
    }
  }

  private boolean masterSees(RedisServer master) {
    try (Resp m = master.client()) {
      return String.valueOf(m.call("INFO", "replication"))
          .contains("port=" + port + ",state=online");
    }
  }

  /** The plain port. */
  public int port() {
    return port;
  }

  /** The TLS port (0 without TLS). */
  public int tlsPort() {
    return tlsPort;
  }

  /** {@code redis://[:password@]127.0.0.1:PORT/0}, with extra query text appended as given. */
  public String connStr() {
    return "redis://" + (password != null ? ":" + password + "@" : "") + "127.0.0.1:" + port + "/0";
  }

  /** A client on the plain port, authenticated when the server has a password. */
  public Resp client() {
    Resp r = Resp.connect(port);
    if (password != null) {
      r.call("AUTH", password);
    }
    return r;
  }

  /** The server's log, for failure messages. */
  public String log() {
    try {
      Path p = dir.resolve("redis.log");
      String s = Files.exists(p) ? Files.readString(p) : "";
      Path o = dir.resolve("stdout.log");
      return s + (Files.exists(o) ? Files.readString(o) : "");
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** {@code kill -9}: no shutdown save, connections reset. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitFor(process);
    }
  }

  /** Starts the server again on the same port and directory (after {@link #kill()}). */
  public void restart() {
    kill();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        // the port may linger for a moment after the kill
        last = e;
        Processes.pause(Duration.ofMillis(100));
      }
    }
    throw last;
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      if (!waitFor(process)) {
        process.destroyForcibly();
        waitFor(process);
      }
      process = null;
    }
    deleteTree(dir);
  }

  static boolean waitFor(Process p) {
    try {
      return p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** A port nobody listens on now (the kernel's pick for an ephemeral bind). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      int p = s.getLocalPort();
      if (p == 6379) {
        return freePort();
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
